"""A project's exit to its community DAO, as an administrator asked for it: the relayer puts `exitProject` on chain
once the exit distribution (if one was given) is on chain; the index then shows the project exited (chain_exits).
At most one request per project."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, Uuid, func, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS
from core.models.chain_ownership import UINT256

EXIT_STATUSES = ("pending", "submitted", "done", "failed")


class ProjectExitRequest(Base):
    __tablename__ = "project_exit_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'submitted', 'done', 'failed')", name="status_known"),
        CheckConstraint("community_dao = lower(community_dao)", name="dao_lowercase"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), unique=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[Decimal] = mapped_column(UINT256)
    community_dao: Mapped[str] = mapped_column(ADDRESS)
    exit_distribution_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("distributions.id"))
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
