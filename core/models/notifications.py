"""The email outbox: one row per (kind, subject, user), so a user is told about a thing at most once whatever the
number of API replicas, job runs or retries; and the scan positions of the job that fills it.

A row holds the facts its template needs (`payload`), never the address: the address is read when the message is
sent, so an account erased meanwhile is skipped and the outbox holds no personal data of its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base

NOTIFICATION_KINDS = ("investment_completed", "investment_failed", "distribution_recorded")
# pending: to send (at next_attempt_at); sent: the SMTP server accepted it; failed: gave up (last_error says why);
# skipped: the user has no address any more (wallet-only, erased).
NOTIFICATION_STATES = ("pending", "sent", "failed", "skipped")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "user_id", name="uq_notifications_kind_subject_user"),
        CheckConstraint(
            "kind IN ('investment_completed', 'investment_failed', 'distribution_recorded')", name="kind_known"
        ),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notifications_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_notifications_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What it is about: an investment id, or chain:project:distribution:block hash.
    subject: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationCursor(Base):
    """How far the job has read an append-only stream (investment_status_history ids): everything at or below
    `position` has been turned into notifications."""

    __tablename__ = "notification_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NotificationSubject(Base):
    """A subject whose recipients have been worked out (a distribution's holders): done once, even when none of
    them has an address."""

    __tablename__ = "notification_subjects"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    recipients: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
