"""Apply one batch — decoded events, the blocks they came from, the new checkpoint — inside the caller's
transaction, in one of two modes: a live batch (records, possibly a replay: raw rows are keyed (chain, block hash,
log index) and only rows that were new move derived state) or a backfill batch rendered ahead (all above the
checkpoint, written by COPY)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.orm import Session

from indexer.checkpoint import Checkpoint
from indexer.errors import StoreConflict
from indexer.fold import fold
from indexer.records import EventRecord
from indexer.store import chain_sql, events_sql, investments_sql, latest_sql, notify_sql, ownership_sql, series_sql
from indexer.store.copy_tables import MINT_SERIES, PAYMENT_SERIES, TRANSFER_SERIES
from indexer.store.cursor import pg_cursor
from indexer.store.render import Rendered, render_effects, render_events
from indexer.types import BlockHeader

POSITION_TABLES = ("chain_mints", "chain_payments", "chain_distributions", "chain_exits")


@dataclass(frozen=True)
class Batch:
    """Blocks `from_block`..`checkpoint.block_number` of one chain, complete: every event of ours in them."""

    chain_id: int
    from_block: int
    checkpoint: Checkpoint  # carries the finalized block as the chain said when the batch was fetched
    records: Sequence[EventRecord]  # chain order; unused by apply_rendered_batch (the rendering holds them)
    headers: Sequence[BlockHeader] = field(default_factory=tuple)  # blocks kept in the reorg window

    @property
    def finalized(self) -> int:
        return self.checkpoint.finalized_block


@dataclass(frozen=True)
class Applied:
    events_new: int  # events stored by this batch (a replay's already stored ones are not counted)


def _check_extends(batch: Batch, stored: Checkpoint | None) -> None:
    if stored is None:
        return
    if batch.from_block > stored.block_number + 1:
        raise StoreConflict(f"batch starts at {batch.from_block}, the checkpoint is at {stored.block_number}: a gap")
    for h in batch.headers:
        if h.number == stored.block_number + 1 and h.parent_hash != stored.block_hash:
            raise StoreConflict(
                f"block {h.number} has parent {h.parent_hash}, the checkpoint holds {stored.block_hash}: another branch"
            )


def _insert_new_records(cur: psycopg.Cursor, batch: Batch, covered: int, finalized: int) -> list[EventRecord]:
    """Insert the raw events; the ones that were new (all of them above the checkpoint) come back."""
    text = render_events(batch.chain_id, batch.records, finalized)
    if batch.from_block > covered:
        # Above the (locked) checkpoint nothing can be stored yet — every batch commits with its checkpoint — so
        # plain COPY; a duplicate would be a bug and fails the batch on the unique key instead of passing silently.
        events_sql.copy_events(cur, text)
        return list(batch.records)
    new_keys = events_sql.insert_events(cur, text, len(batch.records))
    records = (
        list(batch.records)
        if new_keys is None
        else [r for r in batch.records if (r.block_number, r.log_index) in new_keys]
    )
    stray = next((r for r in records if r.block_number <= covered), None)
    if stray is not None:
        # An event the checkpoint claims to cover was missing: another branch or a corrupted mirror. Stop here.
        raise StoreConflict(
            f"event {stray.block_hash}:{stray.log_index} is new but block {stray.block_number} "
            f"is at or below the checkpoint {covered}"
        )
    return records


def _write_rendered(cur: psycopg.Cursor, chain_id: int, r: Rendered, finalized: int) -> None:
    fx = r.small
    ownership_sql.insert_projects(cur, chain_id, fx.projects)
    ownership_sql.apply_balance_deltas(cur, chain_id, fx.balance_deltas)
    ownership_sql.apply_supply_deltas(cur, chain_id, fx.supply_deltas)
    ownership_sql.insert_exits(cur, chain_id, fx.exits, finalized)
    ownership_sql.insert_distributions(cur, chain_id, fx.distributions, finalized)
    investments_sql.copy_mints(cur, r.mints)
    investments_sql.copy_payments(cur, r.payments)
    latest_sql.upsert_allowlist(cur, chain_id, fx.allowlist)
    latest_sql.upsert_pauses(cur, chain_id, fx.pauses)
    latest_sql.upsert_roles(cur, chain_id, fx.roles)
    latest_sql.upsert_frozen(cur, chain_id, fx.frozen)
    if any(r.months.values()) and series_sql.is_natively_partitioned(cur):
        for table, months in r.months.items():
            series_sql.ensure_partitions(cur, table, months)
    series_sql.copy_series(cur, TRANSFER_SERIES.name, r.transfers)
    series_sql.copy_series(cur, MINT_SERIES.name, r.mint_series)
    series_sql.copy_series(cur, PAYMENT_SERIES.name, r.payment_series)


def _advance_finality(cur: psycopg.Cursor, chain_id: int, before: int, after: int, keep_from: int) -> None:
    """Rows of blocks in (before, after] written by earlier batches become final (this batch's own rows were
    written with the right flag: updating them again would rewrite every row of a backfill)."""
    if after > before:
        events_sql.mark_events_final(cur, chain_id, before, after)
        for table in POSITION_TABLES:
            ownership_sql.mark_position_rows_final(cur, table, chain_id, before, after)
    chain_sql.finalize_blocks(cur, chain_id, after, keep_from)


def _check_rendered_flags(batch: Batch, rendered: Rendered, finalized: int) -> None:
    """The `final` flags were rendered with another finalized block: fine unless a row falls between the two."""
    low, high = sorted((rendered.finalized, finalized))
    if batch.from_block <= high and batch.checkpoint.block_number > low:
        raise StoreConflict(f"batch rendered with finalized {rendered.finalized}, the mirror is at {finalized}")


@dataclass(frozen=True)
class _Locked:
    """The checkpoint as locked at the start of a batch, and what the batch may move it to."""

    top: Checkpoint  # the checkpoint after the batch
    covered: int  # the block the stored checkpoint reaches (-1: none)
    before: int  # the stored finalized block (-1: none)
    finalized: int  # the finalized block after the batch: never back, never past the mirror


def _lock(cur: psycopg.Cursor, batch: Batch) -> _Locked:
    stored = chain_sql.lock_checkpoint(cur, batch.chain_id)
    _check_extends(batch, stored)
    top = max(batch.checkpoint, stored) if stored else batch.checkpoint
    covered, before = (stored.block_number, stored.finalized_block) if stored else (-1, -1)
    return _Locked(top, covered, before, min(max(batch.finalized, before), top.block_number))


def _finish(cur: psycopg.Cursor, batch: Batch, locked: _Locked, rendered: Rendered) -> None:
    finalized = locked.finalized
    _write_rendered(cur, batch.chain_id, rendered, finalized)
    chain_sql.insert_blocks(cur, batch.chain_id, batch.headers, finalized)
    # Rows of earlier batches up to the new finalized block become final; the window keeps its newest final
    # block as the anchor a reorg search stops at.
    _advance_finality(cur, batch.chain_id, locked.before, min(finalized, batch.from_block - 1), finalized)
    top = locked.top
    chain_sql.write_checkpoint(cur, batch.chain_id, Checkpoint(top.block_number, top.block_hash, finalized))
    # Delivered at commit: listeners (the API's WebSockets) never hear of a batch that rolled back.
    change = notify_sql.touched(
        batch.chain_id,
        batch.from_block,
        batch.checkpoint.block_number,
        batch.checkpoint.block_hash,
        "batch",
        rendered.small,
    )
    notify_sql.notify(cur, change)


def apply_live_batch(session: Session, batch: Batch) -> Applied:
    """Everything of `batch` (its records folded here) or, when the caller's transaction rolls back on any error,
    nothing. The batch may overlap the checkpoint (a replay): events already stored change nothing."""
    cur = pg_cursor(session)
    locked = _lock(cur, batch)
    records = _insert_new_records(cur, batch, locked.covered, locked.finalized)
    rendered = render_effects(batch.chain_id, fold(records), locked.finalized)
    _finish(cur, batch, locked, rendered)
    return Applied(len(records))


def apply_rendered_batch(session: Session, batch: Batch, rendered: Rendered) -> Applied:
    """A backfill batch whose events and effects were rendered ahead (render_batch, off the writer's thread): all of
    it above the checkpoint, written by COPY; all or (on rollback) nothing, like apply_live_batch."""
    cur = pg_cursor(session)
    locked = _lock(cur, batch)
    if batch.from_block <= locked.covered:
        raise StoreConflict(f"rendered batch from {batch.from_block} overlaps the checkpoint {locked.covered}")
    _check_rendered_flags(batch, rendered, locked.finalized)
    events_sql.copy_events(cur, rendered.events)
    _finish(cur, batch, locked, rendered)
    return Applied(rendered.event_count)
