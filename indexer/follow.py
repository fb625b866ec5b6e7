"""Following the head block by block: header, logs by block hash (an empty answer the bloom contradicts is asked
again, then checked by range), one transaction per block; a parent-hash mismatch hands over to the reorg path."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session, sessionmaker

from indexer import metrics
from indexer.batching import MirrorTarget, records_from_logs
from indexer.checkpoint import Checkpoint
from indexer.reorg import Reorg, extends, find_common_ancestor
from indexer.rpc.bloom import bloom_may_contain
from indexer.rpc.errors import UnknownBlock
from indexer.store import Batch, apply_live_batch, chain_sql, undo_above
from indexer.store.cursor import pg_cursor
from indexer.types import BlockHeader, ChainSource, RawLog

log = structlog.get_logger(__name__)

EMPTY_LOGS_ATTEMPTS = 4
EMPTY_LOGS_BACKOFF = 0.05  # seconds, doubled each attempt: a lagging node behind a load balancer catches up fast


class BlockReplaced(RuntimeError):
    """The block being read was replaced on chain meanwhile; the next step sees the reorg through its header."""


@dataclass(frozen=True)
class LogsPolicy:
    attempts: int = EMPTY_LOGS_ATTEMPTS
    backoff: float = EMPTY_LOGS_BACKOFF
    sleep: Callable[[float], None] = time.sleep


def logs_of_block(source: ChainSource, header: BlockHeader, target: MirrorTarget, policy: LogsPolicy) -> list[RawLog]:
    addresses = list(target.addresses)
    expected = bloom_may_contain(header.logs_bloom, addresses, target.topics)
    for attempt in range(policy.attempts):
        logs = source.logs_by_block_hash(header.hash, addresses)
        if logs or not expected:
            return logs
        metrics.EMPTY_LOGS_RETRIES.inc()
        log.warning("empty_logs_contradict_bloom", block=header.number, attempt=attempt + 1)
        policy.sleep(policy.backoff * 2**attempt)
    # Second opinion by range (another code path on the node, possibly another node): a bloom can be a false positive.
    by_range = source.logs(header.number, header.number, addresses)
    if any(lg.block_hash != header.hash for lg in by_range):
        raise BlockReplaced(f"block {header.number} is no longer {header.hash}")
    if not by_range:
        metrics.BLOOM_FALSE_POSITIVES.inc()
        log.warning("bloom_false_positive", block=header.number, hash=header.hash)
    return by_range


def apply_block(
    sessions: sessionmaker[Session],
    source: ChainSource,
    target: MirrorTarget,
    header: BlockHeader,
    finalized: int,
    policy: LogsPolicy,
) -> int:
    """Mirror one block on top of the checkpoint; returns the number of new events."""
    logs = logs_of_block(source, header, target, policy)
    records = records_from_logs(logs, {header.number: header})
    batch = Batch(target.chain_id, header.number, Checkpoint(header.number, header.hash, finalized), records, (header,))
    with sessions.begin() as session:
        applied = apply_live_batch(session, batch)
    metrics.EVENTS.inc(applied.events_new)
    metrics.BATCHES.labels(kind="follow").inc()
    return applied.events_new


def canonical_hash_of(source: ChainSource) -> Callable[[int], str | None]:
    def lookup(number: int) -> str | None:
        try:
            return source.header(number).hash
        except UnknownBlock:
            return None

    return lookup


def undo_reorg(
    sessions: sessionmaker[Session], source: ChainSource, chain_id: int, head: BlockHeader, indexed: Checkpoint
) -> Reorg:
    """Find the common ancestor in the kept window and undo everything above it, in one transaction."""
    with sessions() as session:
        window = chain_sql.window(pg_cursor(session), chain_id)
    reorg = find_common_ancestor(window, canonical_hash_of(source), head.number, indexed)
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
        head=head.number,
    )
    return reorg


def next_step_is_reorg(indexed: Checkpoint, head: BlockHeader, next_header: BlockHeader | None) -> bool:
    """A reorg shows as: the head went below or sideways of the checkpoint, or the next block's parent differs."""
    if head.number < indexed.block_number:
        return True
    if head.number == indexed.block_number:
        return head.hash != indexed.block_hash
    assert next_header is not None
    return not extends(indexed, next_header.parent_hash)
