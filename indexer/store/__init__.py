"""The indexer's PostgreSQL side: apply a batch (events, derived state, window, checkpoint) in one transaction,
undo everything above a block in one transaction. Callers own the transaction; nothing here commits."""

from indexer.store.batch import Batch, apply_batch
from indexer.store.undo import UndoResult, reset_chain, undo_above

__all__ = ["Batch", "UndoResult", "apply_batch", "reset_chain", "undo_above"]
