"""The indexer's PostgreSQL side: apply a batch (events, derived state, window, checkpoint) in one transaction —
live (records) or rendered ahead (backfill) — and undo everything above a block in one transaction. Callers own
the transaction; nothing here commits."""

from indexer.store.batch import Applied, Batch, apply_live_batch, apply_rendered_batch
from indexer.store.undo import UndoResult, reset_chain, undo_above

__all__ = ["Applied", "Batch", "UndoResult", "apply_live_batch", "apply_rendered_batch", "reset_chain", "undo_above"]
