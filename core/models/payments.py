"""The relayer's intake and outbox: Stripe events stored once, crypto payments seen once, flags for an admin, and
the intents (mint, allowlist, freeze, clawback) that a worker turns into transactions.

Each row is keyed so that replaying its cause is harmless: a Stripe event by its id, a crypto payment by
(chain, reference, payer), a mint intent by its investment, a compliance intent by (kind, investment or account).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
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
from core.models.chain_mirror import ADDRESS, HASH
from core.models.chain_ownership import UINT256

INTENT_STATES = ("pending", "submitted", "done", "cancelled", "failed")
COMPLIANCE_KINDS = ("allow", "freeze", "clawback")


class StripeEvent(Base):
    """A verified Stripe webhook event, stored once by its id before the 2xx; processed asynchronously."""

    __tablename__ = "stripe_events"
    __table_args__ = (
        Index("ix_stripe_events_unprocessed", "received_at", postgresql_where=text("processed_at IS NULL")),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    livemode: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What processing concluded: applied, ignored (a type we do not handle), or a stable error code.
    outcome: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    investment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CryptoPaymentSeen(Base):
    """A final PaymentReceived of the index the relayer has judged (confirmed an investment, or flagged)."""

    __tablename__ = "crypto_payments_seen"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "payment_ref", "payer", name="pk_crypto_payments_seen"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    payment_ref: Mapped[str] = mapped_column(HASH)
    payer: Mapped[str] = mapped_column(ADDRESS)
    investment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    outcome: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentFlag(Base):
    """Something an admin must look at: a payment that is not minted, or a refund owed that no code can make."""

    __tablename__ = "payment_flags"
    __table_args__ = (UniqueConstraint("source", "source_ref", "reason", name="uq_payment_flags_source_ref_reason"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    investment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("investments.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # stripe | chain | mint
    source_ref: Mapped[str] = mapped_column(Text)  # event id, "tx_hash:log_index", payment reference
    reason: Mapped[str] = mapped_column(Text)  # stable code, e.g. amount_mismatch
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MintIntent(Base):
    """The outbox row of a confirmed payment: mint `amount` of `project_id` to `recipient` for `payment_ref`.
    Committed in the same transaction as the payment's confirmation; one per investment."""

    __tablename__ = "mint_intents"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in INTENT_STATES) + ")", name="status_known"),
        Index("ix_mint_intents_pending", "id", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    investment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("investments.id"), unique=True)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    recipient: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_ref: Mapped[str] = mapped_column(HASH, unique=True)
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    # After a batch reverts its intents are retried alone, so that one bad mint fails alone.
    alone: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ComplianceIntent(Base):
    """An allowlist entry, a freeze level or a clawback the relayer must put on chain (compliance role).

    `allow`: account on the allowlist. `freeze`: set the frozen amount of (account, project) to `amount` (the sum of
    that account's open disputes in the project). `clawback`: forcedTransfer `amount` from account to the treasury."""

    __tablename__ = "compliance_intents"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in COMPLIANCE_KINDS) + ")", name="kind_known"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in INTENT_STATES) + ")", name="status_known"),
        Index("ix_compliance_intents_pending", "id", postgresql_where=text("status = 'pending'")),
        # One allowlist intent per account, one clawback per investment: replays add nothing.
        Index("uq_compliance_intents_allow", "account", unique=True, postgresql_where=text("kind = 'allow'")),
        Index(
            "uq_compliance_intents_clawback", "investment_id", unique=True, postgresql_where=text("kind = 'clawback'")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    account: Mapped[str] = mapped_column(ADDRESS)
    project_id: Mapped[Decimal | None] = mapped_column(UINT256)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    investment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("investments.id"))
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
