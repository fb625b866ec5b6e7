"""How far the mirror reaches, as a value with a total order (STYLE.md 6): block number, then hash."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.errors import IndexerHalt


@dataclass(frozen=True, order=True, slots=True)
class Checkpoint:
    """Every event of every block up to `block_number` (hash `block_hash`) is mirrored; `finalized_block` and
    below are final. Stored in the same transaction as the rows it covers."""

    block_number: int
    block_hash: str
    finalized_block: int = -1


class StoreConflict(IndexerHalt):
    """A batch does not extend the stored checkpoint (a gap, another branch, or a second writer): the store
    refuses it, the transaction rolls back, the indexer stops (exit code 2)."""
