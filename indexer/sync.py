"""The sync loop: backfill by ranges while the mirror is behind finality, then follow the head block by block,
undoing reorgs on the way. Every write is one transaction that also moves the checkpoint."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psycopg
import sqlalchemy.exc
import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from indexer import metrics
from indexer.backfill import INITIAL_SPAN, ProgressCallback, backfill
from indexer.batching import MirrorTarget
from indexer.checkpoint import Checkpoint
from indexer.errors import BlockReplaced, IndexerHalt, MirrorInvariantBroken
from indexer.finality import finalized_block
from indexer.follow import LogsPolicy, apply_block
from indexer.reorg import Step, next_step, undo_reorg
from indexer.rpc.errors import NodesBehind, RpcError, UnknownBlock
from indexer.rpc.ranges import AdaptiveRange
from indexer.store import chain_sql
from indexer.store.cursor import pg_cursor
from indexer.store.series_sql import refresh_daily_views
from indexer.types import BlockHeader, ChainSource

log = structlog.get_logger(__name__)

# A dropped or restarted database: the batch rolled back with its connection; back off and run it again.
DATABASE_DOWN = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)
DATABASE_RETRIES_UNTIL_HEAD = 8  # a one-shot run (`--until-head`, reindex) gives up after this many in a row


@dataclass(frozen=True)
class SyncOptions:
    poll_interval: float = 1.0
    finality_depth: int = 256  # used only where the RPC has no `finalized` tag
    max_block_range: int = 10_000
    refresh_views_every: float = 60.0
    logs_policy: LogsPolicy = field(default_factory=LogsPolicy)


@dataclass(frozen=True)
class Position:
    head: int
    indexed: int
    finalized: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.indexed)

    @property
    def caught_up(self) -> bool:
        return self.lag == 0


class ChainMirror:
    """One chain's contracts mirrored into PostgreSQL. `run` loops; `sync_once` is one observable step."""

    def __init__(
        self,
        source: ChainSource,
        engine: Engine,
        target: MirrorTarget,
        options: SyncOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.source = source
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.target = target
        self.options = options
        self.on_progress = on_progress
        self.ranges = AdaptiveRange(options.max_block_range, initial_span=min(INITIAL_SPAN, options.max_block_range))
        self._views_dirty = False
        self._views_refreshed_at = time.monotonic()

    # ----- reading the mirror's position -------------------------------------------------------------

    def stored_checkpoint(self) -> Checkpoint | None:
        with self.sessions() as session:
            return chain_sql.read_checkpoint(pg_cursor(session), self.target.chain_id)

    def _indexed(self) -> tuple[Checkpoint, bool]:
        """The checkpoint, or (before the first write) a virtual one just below the deploy block."""
        stored = self.stored_checkpoint()
        if stored is not None:
            return stored, True
        below = self.target.deploy_block - 1
        return Checkpoint(below, self.source.header(below).hash, -1), False

    # ----- one step --------------------------------------------------------------------------------

    def sync_once(self, stop: threading.Event) -> Position:
        head = self.source.head()
        indexed, stored = self._indexed()
        finalized = finalized_block(
            head.number, self.source.finalized_number(), self.options.finality_depth, indexed.finalized_block
        )
        metrics.observe_position(head.number, indexed.block_number, finalized)
        if indexed.block_number < finalized:
            if stored and self._tip_replaced(indexed):
                # Finality moved past a tip that was never final (the indexer was stopped, slow, or its RPC down):
                # what was reorged away meanwhile is undone before anything is backfilled above it.
                undo_reorg(self.sessions, self.source, self.target.chain_id, indexed.block_number, indexed)
                self._views_changed()
                indexed, _ = self._indexed()
                return Position(head.number, indexed.block_number, max(indexed.finalized_block, -1))
            backfill(
                self.source,
                self.sessions,
                self.target,
                indexed.block_number + 1,
                finalized,
                finalized,
                self.ranges,
                stop,
                self.on_progress,
            )
            self._views_changed()
        else:
            self._follow(head, finalized, stop)
        indexed, _ = self._indexed()
        metrics.observe_position(head.number, indexed.block_number, finalized)
        return Position(head.number, indexed.block_number, max(indexed.finalized_block, -1))

    def _tip_replaced(self, indexed: Checkpoint) -> bool:
        """Whether the chain now has another block at the stored tip's height (asked of a node that has it)."""
        if indexed.block_number <= indexed.finalized_block:
            return False  # a final tip: the store refuses a batch on another branch, the reorg check halts
        number = indexed.block_number
        chain = self.source.read_from_one(number, lambda node: node.header(number))
        return chain.hash != indexed.block_hash

    def _stored_hash(self, number: int) -> str | None:
        with self.sessions() as session:
            return chain_sql.stored_block_hash(pg_cursor(session), self.target.chain_id, number)

    def _follow(self, head: BlockHeader, finalized: int, stop: threading.Event) -> None:
        while not stop.is_set():
            indexed, stored = self._indexed()
            following = indexed.block_number + 1
            nxt = None
            if head.number > indexed.block_number:
                nxt = head if head.number == following else self.source.header(following)
            below = stored and head.number < indexed.block_number
            step = next_step(indexed, head, nxt, self._stored_hash(head.number) if below else None)
            if step is Step.BEHIND:  # a node still syncing is no reorg: use one that is ahead, or wait
                try:
                    head = self.source.read_from_one(indexed.block_number, lambda node: node.head())
                except NodesBehind as exc:
                    log.info("rpc_behind_checkpoint", indexed=indexed.block_number, detail=str(exc))
                    return
                tagged = self.source.finalized_number()  # from the node now used: the lagging one's trails too
                finalized = finalized_block(head.number, tagged, self.options.finality_depth, finalized)
                continue
            if step is Step.REORG:
                if stored:
                    undo_reorg(self.sessions, self.source, self.target.chain_id, head.number, indexed)
                    self._views_changed()
                head = self.source.head()  # the chain moved: look again before going on
                continue
            if nxt is None:
                return
            try:
                if apply_block(self.sessions, self.source, self.target, nxt, finalized, self.options.logs_policy):
                    self._views_dirty = True
            except (BlockReplaced, UnknownBlock) as exc:  # reorged away while read: the next look sees the reorg
                log.warning("block_replaced", block=nxt.number, detail=str(exc))
                head = self.source.head()

    # ----- loop --------------------------------------------------------------------------------------

    def run(self, stop: threading.Event, until_head: bool = False, wake: threading.Event | None = None) -> Position:
        """Sync until `stop` (or, with `until_head`, until caught up); `wake` (new-head notices) cuts the poll wait.
        IndexerHalt propagates: the mirror is left as it was, consistent, for a person to look at."""
        position = Position(-1, -1, -1)
        outage = database_down = 0
        while not stop.is_set():
            try:
                try:
                    position = self.sync_once(stop)
                except psycopg.errors.IntegrityError as exc:
                    raise MirrorInvariantBroken(f"a batch broke a mirror invariant and was rolled back: {exc}") from exc
                outage = database_down = 0
            except IndexerHalt as exc:
                metrics.HALTS.labels(reason=type(exc).__name__).inc()
                log.error("indexer_halted", error=str(exc))
                raise
            except RpcError as exc:
                # The client already retried and failed over; a service waits the outage out (a script does not).
                if until_head:
                    raise
                outage += 1
                delay = min(60.0, self.options.poll_interval * 2**outage)
                log.error("rpc_outage", error=str(exc), retry_in=delay)
                stop.wait(delay)
                continue
            except DATABASE_DOWN as exc:
                # The transaction died with its connection (nothing of it was committed); the pool replaces the
                # connection (pre-ping). Every restart would meet the same outage: wait it out here instead.
                database_down += 1
                if until_head and database_down > DATABASE_RETRIES_UNTIL_HEAD:
                    raise
                delay = min(30.0, self.options.poll_interval * 2**database_down)
                log.error("database_unavailable", error=type(exc).__name__, retry_in=delay)
                stop.wait(delay)
                continue
            if until_head and position.caught_up:
                break
            if position.caught_up:
                self._maybe_refresh_views()
                self._wait(stop, wake)
        self.refresh_views()
        return position

    def _wait(self, stop: threading.Event, wake: threading.Event | None) -> None:
        if wake is None:
            stop.wait(self.options.poll_interval)
            return
        deadline = time.monotonic() + self.options.poll_interval
        while not stop.is_set() and time.monotonic() < deadline:
            if wake.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
                wake.clear()
                return

    def _views_changed(self) -> None:
        """After a backfill or an undo: the daily views must not go on counting what is gone (or missing)."""
        self._views_dirty = True
        self.refresh_views()

    def _maybe_refresh_views(self) -> None:
        if self._views_dirty and time.monotonic() - self._views_refreshed_at >= self.options.refresh_views_every:
            self.refresh_views()

    def refresh_views(self) -> None:
        if not self._views_dirty:
            return
        raw = self.engine.raw_connection()
        try:
            refresh_daily_views(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
        self._views_dirty = False
        self._views_refreshed_at = time.monotonic()
