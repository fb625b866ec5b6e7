"""Undo everything above a block — raw events, derived state, time series, window, checkpoint — inside the
caller's transaction. Additive state takes the negated deltas of the removed events; last-writer state is
recomputed for the keys they touched from the events that remain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.db.notify import IndexChange
from indexer.checkpoint import Checkpoint
from indexer.errors import StoreConflict
from indexer.fold import Effects, fold
from indexer.store import chain_sql, events_sql, latest_sql, notify_sql, ownership_sql, series_sql
from indexer.store.batch import POSITION_TABLES
from indexer.store.cursor import pg_cursor
from indexer.types import BlockHeader

DERIVED_TABLES = (
    "chain_projects",
    "chain_balances",
    "chain_holder_counts",
    "chain_exits",
    "chain_distributions",
    "chain_allowlist",
    "chain_pauses",
    "chain_roles",
    "chain_frozen",
    "chain_mints",
    "chain_payments",
    *series_sql.SERIES_TABLES,
    "chain_blocks",
    "chain_events",
)


@dataclass(frozen=True)
class UndoResult:
    previous: Checkpoint | None
    checkpoint: Checkpoint
    events_removed: int

    @property
    def depth(self) -> int:
        return self.previous.block_number - self.checkpoint.block_number if self.previous else 0


def undo_above(
    session: Session, chain_id: int, block_number: int, block_hash: str, anchor: BlockHeader | None = None
) -> UndoResult:
    """Leave the mirror exactly as if it had stopped at block `block_number` (whose hash is `block_hash`).
    `anchor` (that block's header) is kept in the window when a reindex reaches below it."""
    cur = pg_cursor(session)
    stored = chain_sql.lock_checkpoint(cur, chain_id)
    if stored is None or stored.block_number < block_number:
        raise StoreConflict(f"nothing to undo above block {block_number}: checkpoint {stored}")
    removed = events_sql.delete_events_above(cur, chain_id, block_number)
    fx = fold(removed) if removed else Effects()
    if removed:
        ownership_sql.apply_balance_deltas(cur, chain_id, fx.negated_balances())
        ownership_sql.apply_supply_deltas(cur, chain_id, fx.negated_supply())
        series_sql.delete_series_above(cur, chain_id, block_number, min(r.block_time for r in removed))
        for table in POSITION_TABLES:
            ownership_sql.delete_position_rows_above(cur, table, chain_id, block_number)
        ownership_sql.reset_exits(cur, chain_id, sorted({e.project_id for e in fx.exits}))
        ownership_sql.delete_projects_created_above(cur, chain_id, block_number)
        latest_sql.recompute_allowlist(cur, chain_id, sorted(fx.allowlist))
        latest_sql.recompute_pauses(cur, chain_id, sorted(fx.pauses))
        latest_sql.recompute_roles(cur, chain_id, sorted(fx.roles))
        latest_sql.recompute_frozen(cur, chain_id, sorted(fx.frozen))
    chain_sql.delete_blocks_above(cur, chain_id, block_number)
    if anchor is not None:
        chain_sql.insert_blocks(cur, chain_id, [anchor], stored.finalized_block)
    checkpoint = Checkpoint(block_number, block_hash, min(stored.finalized_block, block_number))
    chain_sql.write_checkpoint(cur, chain_id, checkpoint)
    notify_sql.notify(cur, notify_sql.touched(chain_id, block_number + 1, stored.block_number, block_hash, "undo", fx))
    return UndoResult(stored, checkpoint, len(removed))


def reset_chain(session: Session, chain_id: int) -> None:
    """Forget everything mirrored of one chain (a reindex from its deploy block)."""
    cur = pg_cursor(session)
    chain_sql.lock_checkpoint(cur, chain_id)
    for table in DERIVED_TABLES:
        cur.execute(f"DELETE FROM {table} WHERE chain_id = %s", (chain_id,))
    chain_sql.delete_checkpoint(cur, chain_id)
    everything = IndexChange(chain_id, 0, -1, "", "reset", frozenset(), frozenset(), everything=True)
    notify_sql.notify(cur, everything)
