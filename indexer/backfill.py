"""Backfill: eth_getLogs over adaptive ranges up to the finalized block, one transaction per batch.

Three threads overlap: a reader (RPC, JSON) one range ahead, the caller's thread preparing (decode, fold, render
COPY text), and a writer that mostly waits on PostgreSQL. One interpreter lock: the overlap is with the RPC node
and the database, which is where the waiting is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

import structlog
from sqlalchemy.orm import Session, sessionmaker

from indexer import metrics
from indexer.batching import MirrorTarget, cut_batches, records_from_logs
from indexer.checkpoint import Checkpoint
from indexer.errors import InconsistentRange
from indexer.fold import fold
from indexer.pipeline import ReadAhead, StopFlag, WriteBehind
from indexer.rpc.errors import RangeTooLarge
from indexer.rpc.limits import RangeAdvice
from indexer.rpc.ranges import AdaptiveRange
from indexer.store import Batch, apply_rendered_batch
from indexer.store.render import Rendered, render_batch
from indexer.types import BlockHeader, ChainSource, RawLog

log = structlog.get_logger(__name__)

MAX_EVENTS_PER_BATCH = 50_000  # bounds one transaction's size and the writer's memory
# Logs per eth_getLogs answer the span adapts to: bounds memory (a range's logs live until written) and keeps
# reading, preparing and writing in step. Denser than twice this: halve the span; sparser than half: let it grow.
TARGET_LOGS_PER_RANGE = 25_000
INITIAL_SPAN = 100  # blocks; grows to the configured maximum while ranges stay sparse
READ_AHEAD = 2  # ranges read ahead of the one being prepared
WRITE_BEHIND = 2  # prepared batches queued for the writer: smooths the database's uneven pace


@dataclass(frozen=True)
class BackfillProgress:
    start_block: int
    target_block: int
    block: int  # checkpoint reached
    events: int  # written so far in this backfill
    elapsed: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[BackfillProgress], None]


@dataclass(frozen=True)
class FetchedRange:
    from_block: int
    to_header: BlockHeader
    logs: list[RawLog]
    headers: dict[int, BlockHeader]


def fetch_headers(source: ChainSource, numbers: Sequence[int]) -> list[BlockHeader]:
    """One batched JSON-RPC request for the headers a range needs."""
    return source.headers(list(numbers))


def fetch_range(source: ChainSource, target: MirrorTarget, first: int, last: int) -> FetchedRange:
    """Logs and headers of [first, last], all from one node whose head has reached `last` (a node behind would
    answer the logs it has, silently short, and another node the headers)."""

    def read(node: ChainSource) -> FetchedRange:
        logs = node.logs(first, last, list(target.addresses))
        numbers = sorted({lg.block_number for lg in logs} | {last})
        headers = {h.number: h for h in fetch_headers(node, numbers)}
        return FetchedRange(first, headers[last], logs, headers)

    return source.read_from_one(last, read)


def ranges_read(
    source: ChainSource, target: MirrorTarget, start: int, end: int, ranges: AdaptiveRange, stop: StopFlag
) -> Iterator[FetchedRange]:
    """[start, end] in consecutive ranges, shrinking on provider refusals and on very dense ranges."""
    first = start
    while first <= end and not stop.is_set():
        last = min(end, first + ranges.next_span() - 1)
        try:
            fetched = fetch_range(source, target, first, last)
        except RangeTooLarge as exc:
            if ranges.at_minimum:
                raise
            span = ranges.on_limit(exc.advice, last - first + 1)
            log.info("range_refused", from_block=first, to_block=last, next_span=span)
            continue
        tried, found = last - first + 1, len(fetched.logs)
        if found > 2 * TARGET_LOGS_PER_RANGE and tried > 1:
            fitting = max(1, tried * TARGET_LOGS_PER_RANGE // found)  # as dense ahead as here: this span fits
            ranges.on_limit(RangeAdvice(first + fitting - 1, None, fitting), tried)
        elif found <= TARGET_LOGS_PER_RANGE // 2:
            ranges.on_success()
        yield fetched
        first = last + 1


@dataclass(frozen=True)
class PreparedBatch:
    batch: Batch  # without records: `rendered` holds what the store writes (the batch lies above the checkpoint)
    rendered: Rendered


def prepare(target: MirrorTarget, fetched: FetchedRange, finalized: int) -> Iterator[PreparedBatch]:
    """Decode, fold and render a fetched range, cut into batches: all the Python work of a backfill but the I/O."""
    records = records_from_logs(fetched.logs, fetched.headers)
    for batch in cut_batches(
        target.chain_id, fetched.from_block, fetched.to_header, records, finalized, MAX_EVENTS_PER_BATCH
    ):
        rendered = render_batch(batch.chain_id, batch.records, fold(batch.records), finalized)
        yield PreparedBatch(replace(batch, records=()), rendered)


class BatchWriter:
    """Applies prepared batches, one transaction each; counts and reports progress."""

    def __init__(
        self, sessions: sessionmaker[Session], first: int, end: int, on_progress: ProgressCallback | None
    ) -> None:
        self.sessions, self.first, self.end, self.on_progress = sessions, first, end, on_progress
        self.began = time.monotonic()
        self.events = 0
        self.checkpoint: Checkpoint | None = None

    def __call__(self, prepared: PreparedBatch) -> None:
        with self.sessions.begin() as session:
            applied = apply_rendered_batch(session, prepared.batch, prepared.rendered)
        self.events += applied.events_new
        self.checkpoint = prepared.batch.checkpoint
        elapsed = time.monotonic() - self.began
        metrics.EVENTS.inc(applied.events_new)
        metrics.BATCHES.labels(kind="backfill").inc()
        if elapsed > 0:
            metrics.EVENTS_PER_SECOND.set(self.events / elapsed)
        if self.on_progress:
            self.on_progress(BackfillProgress(self.first, self.end, self.checkpoint.block_number, self.events, elapsed))


def backfill(
    source: ChainSource,
    sessions: sessionmaker[Session],
    target: MirrorTarget,
    start: int,
    end: int,
    finalized: int,
    ranges: AdaptiveRange,
    stop: threading.Event,
    on_progress: ProgressCallback | None = None,
) -> Checkpoint | None:
    """Mirror blocks [start, end] (all final) with three threads: reading ranges, preparing them (here), writing
    them. Returns the last checkpoint written, None if nothing was."""
    writer = BatchWriter(sessions, start, end, on_progress)
    while start <= end and not stop.is_set():
        reader: ReadAhead[FetchedRange] = ReadAhead(
            partial(ranges_read, source, target, start, end, ranges), stop, READ_AHEAD
        )
        behind = WriteBehind(writer, stop, WRITE_BEHIND)
        try:
            for fetched in reader:
                for prepared in prepare(target, fetched, finalized):
                    behind.submit(prepared)
                start = fetched.to_header.number + 1
        except InconsistentRange as exc:  # the chain moved under one range: read it again from where we are
            log.warning("range_inconsistent", detail=str(exc))
        finally:
            reader.close()
            behind.close()
    return writer.checkpoint
