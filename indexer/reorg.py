"""Reorg detection in one place (STYLE.md 7): the kept window of (number, hash, parent), the common-ancestor search
against the chain, and a `Reorg` value out. Pure apart from the `canonical_hash` lookup it is given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.checkpoint import Checkpoint
from indexer.errors import ReorgBeyondFinality

WindowBlock = tuple[int, str, str]  # (number, hash, parent hash)


@dataclass(frozen=True)
class Reorg:
    """The mirror's blocks above `ancestor` are not the chain's any more."""

    ancestor: int
    ancestor_hash: str
    indexed: Checkpoint

    @property
    def depth(self) -> int:
        return self.indexed.block_number - self.ancestor


def extends(checkpoint: Checkpoint, parent_hash: str) -> bool:
    """Whether a block with this parent follows the checkpoint on the same branch."""
    return checkpoint.block_hash == parent_hash


def find_common_ancestor(
    window: Sequence[WindowBlock],
    canonical_hash: Callable[[int], str | None],
    head_number: int,
    indexed: Checkpoint,
) -> Reorg:
    """Newest kept block whose hash the chain still has. Blocks above the head are gone from the chain (a rollback).
    Raises ReorgBeyondFinality, naming both hashes, when the fork is at or below the finalized block."""
    finalized = indexed.finalized_block
    lowest: WindowBlock | None = None
    for number, stored_hash, _parent in sorted(window, reverse=True):
        lowest = (number, stored_hash, _parent)
        if number > head_number:
            continue
        chain_hash = canonical_hash(number)
        if chain_hash == stored_hash:
            if number < finalized:
                break  # matched only below finality: a final block above it changed
            return Reorg(number, stored_hash, indexed)
        if number <= finalized:
            raise ReorgBeyondFinality(number, stored_hash, chain_hash, finalized)
    if lowest is None:
        raise ReorgBeyondFinality(
            indexed.block_number, indexed.block_hash, canonical_hash(indexed.block_number), finalized
        )
    number, stored_hash, _ = lowest
    raise ReorgBeyondFinality(number, stored_hash, canonical_hash(number) if number <= head_number else None, finalized)
