"""How far the mirror reaches, as a value with a total order (STYLE.md 6): block number, then hash."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Checkpoint:
    """Every event of every block up to `block_number` (hash `block_hash`) is mirrored; `finalized_block` and
    below are final. Stored in the same transaction as the rows it covers."""

    block_number: int
    block_hash: str
    finalized_block: int = -1
