"""Following the head block by block: header, logs by block hash (an empty answer the bloom contradicts is asked
again, then by range, and believed only once the node proves it holds the block), one transaction per block."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session, sessionmaker

from indexer import metrics
from indexer.batching import MirrorTarget, records_from_logs
from indexer.checkpoint import Checkpoint
from indexer.errors import BlockReplaced
from indexer.rpc.bloom import bloom_may_contain
from indexer.rpc.errors import RpcError
from indexer.store import Batch, apply_live_batch
from indexer.types import BlockHeader, ChainSource, RawLog

log = structlog.get_logger(__name__)

EMPTY_LOGS_ATTEMPTS = 4
EMPTY_LOGS_BACKOFF = 0.05  # seconds, doubled each attempt: a lagging node behind a load balancer catches up fast


@dataclass(frozen=True)
class LogsPolicy:
    attempts: int = EMPTY_LOGS_ATTEMPTS
    backoff: float = EMPTY_LOGS_BACKOFF
    sleep: Callable[[float], None] = time.sleep


def logs_of_block(source: ChainSource, header: BlockHeader, target: MirrorTarget, policy: LogsPolicy) -> list[RawLog]:
    """Our logs of one block, every answer from one node that has reached it (another node is tried if that one
    cannot show the block)."""
    return source.read_from_one(header.number, lambda node: _logs_on(node, header, target, policy))


def _logs_on(node: ChainSource, header: BlockHeader, target: MirrorTarget, policy: LogsPolicy) -> list[RawLog]:
    addresses = list(target.addresses)
    expected = bloom_may_contain(header.logs_bloom, addresses, target.topics)
    for attempt in range(policy.attempts):
        logs = node.logs_by_block_hash(header.hash, addresses)
        if logs or not expected:
            return logs
        metrics.EMPTY_LOGS_RETRIES.inc()
        log.warning("empty_logs_contradict_bloom", block=header.number, attempt=attempt + 1)
        policy.sleep(policy.backoff * 2**attempt)
    # Second opinion by range (another code path on the node): it may find what the by-hash index missed.
    by_range = node.logs(header.number, header.number, addresses)
    if any(lg.block_hash != header.hash for lg in by_range):
        raise BlockReplaced(f"block {header.number} is no longer {header.hash}")
    if by_range:
        return by_range
    # Still nothing: a bloom false positive, or a node that answers for a block it does not hold. Its receipts
    # (by the block's hash) decide: they prove it has the block, and they hold the block's logs themselves.
    proof = node.receipt_logs(header.hash, addresses)
    if proof is None:
        raise RpcError("null_result", f"the node answered no logs for block {header.number} but shows no receipts")
    if proof:
        log.warning("logs_found_only_in_receipts", block=header.number, hash=header.hash, logs=len(proof))
        return proof
    metrics.BLOOM_FALSE_POSITIVES.inc()
    log.warning("bloom_false_positive", block=header.number, hash=header.hash)
    return []


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
