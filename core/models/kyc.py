"""Identity checks of users (the seed's `kyc_records`) and the KYC provider's webhook events, stored once each.

A record holds what the decision needs and nothing more: the provider's applicant and check ids, the outcome and
a few facts about it (`verification_data`: check status, result, report names, when it completed). Names,
document images and extracted document data stay with the provider.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, PrimaryKeyConstraint, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base

KYC_RECORD_STATUSES = ("submitted", "verified", "rejected")


class KycRecord(Base):
    """One attempt: an applicant and a check at the provider. A user may try again after a rejection."""

    __tablename__ = "kyc_records"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'verified', 'rejected')", name="status_known"),
        Index("ix_kyc_records_user_id", "user_id", "created_at"),
        # At most one attempt in flight per user, whatever races between two starts.
        Index("uq_kyc_records_one_submitted", "user_id", unique=True, postgresql_where=text("status = 'submitted'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(50), server_default="onfido")
    provider_applicant_id: Mapped[str] = mapped_column(String(255))
    provider_check_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(50), server_default="submitted")
    verification_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class KycWebhookEvent(Base):
    """A verified webhook from the provider, keyed by the provider's event id: a replay inserts nothing."""

    __tablename__ = "kyc_webhook_events"
    __table_args__ = (PrimaryKeyConstraint("provider", "event_id", name="pk_kyc_webhook_events"),)

    provider: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # applied, ignored (an action we do not act on), stale (the record was decided already)
    outcome: Mapped[str] = mapped_column(String(32))
    kyc_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("kyc_records.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
