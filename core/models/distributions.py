"""Distributions of a project's revenue (the seed's `distributions` and `user_distributions`), made verifiable: the
per-holder amounts come from the indexed balances at a final snapshot block, each is a leaf of a merkle tree whose
root goes on chain (`distributeReturns`), and a Distributor contract pays each leaf once.

`user_distributions` holds the leaves: one row per holder address, with its amount, its place in the tree and its
proof, and the user it belongs to where the address is a custodial address or a linked wallet. Whether a leaf was
claimed is not stored here: it comes from the index (the Distributor's `Claimed` events), like every on-chain fact.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
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

DISTRIBUTION_TYPES = ("quarterly", "annual", "exit")
# recorded: amounts and root stored; on_chain: the root is recorded by distributeReturns; funded: the Distributor
# holds the total; closed: unclaimed funds swept after the deadline.
DISTRIBUTION_STATUSES = ("recorded", "on_chain", "funded", "closed", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Distribution(Base):
    __tablename__ = "distributions"
    __table_args__ = (
        CheckConstraint("total_cents > 0", name="total_positive"),
        CheckConstraint(_in("distribution_type", DISTRIBUTION_TYPES), name="type_known"),
        CheckConstraint(_in("status", DISTRIBUTION_STATUSES), name="status_known"),
        CheckConstraint("holder_count > 0", name="has_holders"),
        Index("ix_distributions_project_id", "project_id"),
    )

    # The on-chain distributionId: one sequence for every project (the Distributor keys its pools by it alone).
    id: Mapped[int] = mapped_column(BigInteger, Identity(start=1), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[Decimal] = mapped_column(UINT256)
    distribution_date: Mapped[date] = mapped_column(Date)
    distribution_type: Mapped[str] = mapped_column(String(50))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    # The total in the payout stablecoin's smallest unit (what the leaves and the contract count in).
    total_units: Mapped[Decimal] = mapped_column(UINT256)
    payout_token: Mapped[str] = mapped_column(ADDRESS)
    payout_decimals: Mapped[int] = mapped_column(Integer)
    energy_generated_mwh: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    snapshot_block: Mapped[int] = mapped_column(BigInteger)
    merkle_root: Mapped[str] = mapped_column(HASH)
    holder_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), server_default="recorded")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    claim_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The relayer's transactions for it (relayer_transactions ids): the root recorded by distributeReturns, then
    # the Distributor approved for the total and funded. Set in the transaction that enqueues each, so a crash
    # never enqueues one twice.
    record_tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("relayer_transactions.id"))
    approve_tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("relayer_transactions.id"))
    fund_tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("relayer_transactions.id"))
    # A caller's key for "this request": the same key twice records one distribution.
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserDistribution(Base):
    """One leaf: `account`'s share of a distribution, with its proof; `user_id` where the address is a user's."""

    __tablename__ = "user_distributions"
    __table_args__ = (
        UniqueConstraint("distribution_id", "account", name="uq_user_distributions_distribution_account"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("account_kind IN ('custodial', 'wallet')", name="account_kind_known"),
        Index("ix_user_distributions_user_id", "user_id"),
        Index("ix_user_distributions_account", "account"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    distribution_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("distributions.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    account: Mapped[str] = mapped_column(ADDRESS)
    # custodial: the relayer claims for it; wallet: its owner claims from the wallet
    account_kind: Mapped[str] = mapped_column(String(10))
    balance: Mapped[Decimal] = mapped_column(UINT256)  # units held at the snapshot block
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    amount_units: Mapped[Decimal] = mapped_column(UINT256)
    tree_index: Mapped[int] = mapped_column(Integer)
    proof: Mapped[list[Any]] = mapped_column(JSONB)  # the sibling hashes, 0x hex, leaf to root
    # Custodial leaves only: the relayer's claim transaction (a claimBatch or a lone claim), whether the leaf goes
    # alone after its batch reverted, and why its lone claim failed for good (flagged for an admin).
    claim_tx_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("relayer_transactions.id"))
    claim_alone: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    claim_error: Mapped[str | None] = mapped_column(Text)
