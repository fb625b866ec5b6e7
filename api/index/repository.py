"""SQL over the indexer's checkpoint table (chain_checkpoints), read-only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChainCheckpoint


def checkpoint(session: Session, chain_id: int | None) -> ChainCheckpoint | None:
    """The checkpoint of `chain_id`; without one, the most recently written (one chain per deployment)."""
    stmt = select(ChainCheckpoint)
    if chain_id is not None:
        stmt = stmt.where(ChainCheckpoint.chain_id == chain_id)
    return session.scalars(stmt.order_by(ChainCheckpoint.updated_at.desc()).limit(1)).first()
