"""Reorg handling in one place (STYLE.md 7): what the next step is (apply, wait for a node that is behind, or
undo), the common-ancestor search over the kept window of (number, hash, parent), and the undo itself.

Everything above `undo_reorg` is pure (the chain is only seen through the `canonical_hash` lookup it is given);
`undo_reorg` is the thin I/O around it: read the window, search on one node, undo above the ancestor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import structlog
from sqlalchemy.orm import Session, sessionmaker

from indexer import metrics
from indexer.checkpoint import Checkpoint
from indexer.errors import ReorgBeyondFinality
from indexer.rpc.errors import UnknownBlock
from indexer.store import chain_sql, undo_above
from indexer.store.cursor import pg_cursor
from indexer.types import BlockHeader, ChainSource

log = structlog.get_logger(__name__)

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


class Step(Enum):
    APPLY = "apply"  # the next block extends the checkpoint
    CAUGHT_UP = "caught_up"  # the head is the checkpoint
    BEHIND = "behind"  # the node has not reached the checkpoint and agrees with the mirror as far as it goes
    REORG = "reorg"  # proven: the node has another block at a height the mirror holds


def extends(checkpoint: Checkpoint, parent_hash: str) -> bool:
    """Whether a block with this parent follows the checkpoint on the same branch."""
    return checkpoint.block_hash == parent_hash


def next_step(
    indexed: Checkpoint, head: BlockHeader, next_header: BlockHeader | None, stored_at_head: str | None
) -> Step:
    """What to do with a node's head. `next_header`: the block after the checkpoint (when the head is above it);
    `stored_at_head`: the mirror's hash at the head's height (when the head is below the checkpoint; None if the
    window does not reach down there). A head below the checkpoint alone proves nothing (a restarted or
    load-balanced node still syncing): only a different hash at a height both know is a reorg."""
    if head.number < indexed.block_number:
        return Step.REORG if stored_at_head is not None and stored_at_head != head.hash else Step.BEHIND
    if head.number == indexed.block_number:
        return Step.CAUGHT_UP if head.hash == indexed.block_hash else Step.REORG
    assert next_header is not None
    return Step.APPLY if extends(indexed, next_header.parent_hash) else Step.REORG


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


# ----- the undo (I/O) -----------------------------------------------------------------------------------


def canonical_hash_of(source: ChainSource) -> Callable[[int], str | None]:
    def lookup(number: int) -> str | None:
        try:
            return source.header(number).hash
        except UnknownBlock:
            return None

    return lookup


def undo_reorg(
    sessions: sessionmaker[Session], source: ChainSource, chain_id: int, seen_at: int, indexed: Checkpoint
) -> Reorg:
    """Find the common ancestor and undo everything above it, in one transaction. `seen_at`: the height the
    mismatch was seen at. The search runs on one node that has reached it, against that node's own head, so a
    stale node's view is never mixed with another's; a node that agrees with the mirror after all undoes nothing."""
    with sessions() as session:
        window = chain_sql.window(pg_cursor(session), chain_id)

    def search(node: ChainSource) -> Reorg:
        return find_common_ancestor(window, canonical_hash_of(node), node.head().number, indexed)

    reorg = source.read_from_one(seen_at, search)
    if reorg.depth == 0:
        log.info("reorg_not_confirmed", indexed=indexed.block_number, seen_at=seen_at)
        return reorg
    with sessions.begin() as session:
        undo_above(session, chain_id, reorg.ancestor, reorg.ancestor_hash)
    metrics.REORGS.inc()
    metrics.REORG_DEPTH.observe(reorg.depth)
    metrics.BATCHES.labels(kind="undo").inc()
    log.warning(
        "reorg",
        depth=reorg.depth,
        ancestor=reorg.ancestor,
        indexed=indexed.block_number,
        indexed_hash=indexed.block_hash,
        seen_at=seen_at,
    )
    return reorg
