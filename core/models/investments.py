"""Investments: one row per investment, its status history, and the custodial addresses card payers receive into.

The API creates an investment (`core.investments.create_investment`); the relayer moves it along as payments,
mints and refunds happen. What happened to the payment is kept as facts (paid, refunded, disputed, ...) beside the
status, so that Stripe's events may arrive in any order and any number of times: the status is derived from the
facts and the chain (`relayer.payments.rules`), never from the order of arrival.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
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
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS, HASH
from core.models.chain_ownership import UINT256

STATUSES = (
    "pending_payment",
    "paid",
    "minting",
    "completed",
    "final",
    "failed",
    "cancelled",
    "refunded",
    "disputed",
)
METHODS = ("card", "crypto")
DISPUTE_STATES = ("open", "won", "lost")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Investment(Base):
    __tablename__ = "investments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(_in("method", METHODS), name="method_known"),
        CheckConstraint("investor_user_id IS NOT NULL OR investor_wallet IS NOT NULL", name="has_investor"),
        CheckConstraint(f"dispute_status IS NULL OR {_in('dispute_status', DISPUTE_STATES)}", name="dispute_known"),
        Index("ix_investments_status", "status"),
        Index("ix_investments_investor_user_id", "investor_user_id"),
        Index("ix_investments_investor_wallet", "investor_wallet"),
        # What still holds a project's capacity (core.investments.HOLDING_STATUSES): read under the project's lock.
        Index(
            "ix_investments_open_by_project",
            "chain_id",
            "project_id",
            postgresql_where=text("status IN ('pending_payment', 'paid', 'minting')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    # A user account (card payers, custodial) or a verified wallet (MetaMask); a user may also pay from a wallet.
    investor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    investor_wallet: Mapped[str | None] = mapped_column(ADDRESS)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), server_default="usd")
    method: Mapped[str] = mapped_column(String(8))
    # keccak256("terra-lumina:investment:" + id): recomputable from the id (core.chain.payment_ref).
    payment_ref: Mapped[str] = mapped_column(HASH, unique=True)
    status: Mapped[str] = mapped_column(String(20), server_default="pending_payment")
    # Where the tokens go: the investor's verified wallet, or the user's custodial address.
    recipient: Mapped[str | None] = mapped_column(ADDRESS)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(Text, unique=True)
    # Until when an unpaid investment holds its share of the project's capacity; once past, a `pending_payment`
    # investment no longer counts (paid and minting ones always do). NULL: created without a reservation.
    reserved_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # ----- facts about the payment (monotonic: set once, never unset by a later, older event) -----
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    payment_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    last_failure: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refunded_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    dispute_id: Mapped[str | None] = mapped_column(Text)
    dispute_status: Mapped[str | None] = mapped_column(String(8))
    # Set when the mint can never happen (a mint revert, a flagged payment): the reason, decoded.
    failure_reason: Mapped[str | None] = mapped_column(Text)

    # ----- the mint as the index shows it ---------------------------------------------------------
    mint_tx_hash: Mapped[str | None] = mapped_column(HASH)
    mint_block: Mapped[int | None] = mapped_column(BigInteger)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InvestmentStatusChange(Base):
    """One status change of an investment: when, from what to what, and why (an event id, a tx hash, a rule)."""

    __tablename__ = "investment_status_history"
    __table_args__ = (Index("ix_investment_status_history_investment_id", "investment_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    investment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("investments.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cause: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class CustodialAccount(Base):
    """A card payer's custodial address: BIP-44 account `account_index` of the relayer's mnemonic. Only the
    relayer derives it; the address is public, the key never leaves the relayer process."""

    __tablename__ = "custodial_accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # Index 0 of the mnemonic is the minter key itself: custodial accounts start at 1.
    account_index: Mapped[int] = mapped_column(Integer, Identity(start=1), unique=True)
    address: Mapped[str | None] = mapped_column(ADDRESS, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
