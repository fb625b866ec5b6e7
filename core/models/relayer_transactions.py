"""The relayer's outgoing transactions: one row per intended call, stored before it is signed, and every signed
attempt at its nonce (fee bumps, a cancelling self-transfer), stored before it is broadcast.

A row's nonce, once set, is never given up: the unique (sender, nonce) key is the database's guard against two
transactions being built for one nonce, and the attempts table holds every hash that could ever be mined for it."""

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
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS, HASH
from core.models.chain_ownership import UINT256

TX_STATUSES = ("queued", "signed", "broadcast", "mined", "final", "reverted", "cancelled", "dropped")
ATTEMPT_KINDS = ("call", "cancel")


class RelayerTransaction(Base):
    """One call the relayer sends from `sender` (lowercase address). See relayer/tx/states.py for the statuses."""

    __tablename__ = "relayer_transactions"
    __table_args__ = (
        CheckConstraint(f"status IN {TX_STATUSES!r}", name="status"),
        # The one-nonce-one-transaction guard; rows without a nonce (queued, cancelled early) do not take part.
        Index(
            "uq_relayer_transactions_sender_nonce",
            "sender",
            "nonce",
            unique=True,
            postgresql_where=text("nonce IS NOT NULL"),
        ),
        Index("ix_relayer_transactions_sender_status_seq", "sender", "status", "seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # Queue order: transactions of a sender get nonces in the order they were enqueued.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), nullable=False, unique=True)
    sender: Mapped[str] = mapped_column(ADDRESS, nullable=False)
    to_address: Mapped[str] = mapped_column(ADDRESS, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    value: Mapped[Decimal] = mapped_column(UINT256, nullable=False, server_default=text("0"))
    purpose: Mapped[str] = mapped_column(String(64), nullable=False)
    gas_limit: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    current_hash: Mapped[str | None] = mapped_column(HASH)
    mined_hash: Mapped[str | None] = mapped_column(HASH)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(HASH)
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    revert_reason: Mapped[str | None] = mapped_column(Text)
    revert_data: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    broadcast_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RelayerTransactionAttempt(Base):
    """One signed transaction at a row's nonce; `raw` is exactly what was (or will be) broadcast."""

    __tablename__ = "relayer_transaction_attempts"
    __table_args__ = (CheckConstraint(f"kind IN {ATTEMPT_KINDS!r}", name="kind"),)

    tx_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("relayer_transactions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 0 for the first attempt, +1 per replacement
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    max_fee_per_gas: Mapped[Decimal] = mapped_column(UINT256, nullable=False)
    max_priority_fee_per_gas: Mapped[Decimal] = mapped_column(UINT256, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    broadcast_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
