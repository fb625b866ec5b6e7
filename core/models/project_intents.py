"""The outbox of catalogue projects to put on chain: one `createProject(projectId, supplyCap, metadataCid)` each.

The API writes the row in the same transaction as the catalogue project (it never signs); the relayer hands it to
its transaction manager and follows the result until the project is indexed (done) or the call reverted (failed,
with the decoded reason, e.g. ProjectAlreadyExists)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_ownership import UINT256
from core.models.payments import INTENT_STATES


class ProjectIntent(Base):
    __tablename__ = "project_intents"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in INTENT_STATES) + ")", name="status_known"),
        CheckConstraint("supply_cap > 0", name="supply_cap_positive"),
        # One creation per token id and chain: a replayed request cannot queue the same id twice.
        UniqueConstraint("chain_id", "token_id", name="uq_project_intents_chain_token"),
        Index("ix_project_intents_open", "id", postgresql_where=text("status IN ('pending', 'submitted')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[Decimal] = mapped_column(UINT256)
    supply_cap: Mapped[Decimal] = mapped_column(UINT256)  # = the catalogue's target_cents
    metadata_cid: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    tx_hash: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
