"""Wallets linked to user accounts by Sign-In with Ethereum. A wallet belongs to at most one account; an account
may link several. A user's holdings are those of their custodial address and of every linked wallet."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS

WALLET_KINDS = ("eoa", "contract")  # contract: verified by EIP-1271 through the RPC


class UserWallet(Base):
    __tablename__ = "user_wallets"
    __table_args__ = (
        CheckConstraint("kind IN ('eoa', 'contract')", name="kind_known"),
        CheckConstraint("address = lower(address)", name="address_lowercase"),
        Index("ix_user_wallets_user_id", "user_id"),
    )

    address: Mapped[str] = mapped_column(ADDRESS, primary_key=True)  # lowercase 0x hex
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), server_default="eoa")
    chain_id: Mapped[int] = mapped_column(BigInteger)  # the chain id of the SIWE message that proved it
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
