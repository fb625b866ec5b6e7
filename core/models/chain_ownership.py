"""The ownership contract's state as the indexer folds it from events: projects, balances, holders, exits,
distributions, the KYC allowlist, pause flags, role members and ERC-7943 frozen amounts. Amounts are NUMERIC(78,0):
exact uint256."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, declarative_mixin, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS, HASH

UINT256 = Numeric(78, 0)


@declarative_mixin
class EventPosition:
    """Where the event behind a row sits on chain, and whether that block is final."""

    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(HASH)
    tx_hash: Mapped[str] = mapped_column(HASH)
    log_index: Mapped[int] = mapped_column(Integer)
    block_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    final: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ChainProject(Base):
    """A created project; `minted` is its total supply (mints minus burns), never above `supply_cap`."""

    __tablename__ = "chain_projects"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "project_id", name="pk_chain_projects"),
        CheckConstraint("minted >= 0 AND minted <= supply_cap", name="minted_within_cap"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    supply_cap: Mapped[Decimal] = mapped_column(UINT256)
    minted: Mapped[Decimal] = mapped_column(UINT256, server_default=text("0"))
    # The contract takes any string: text PostgreSQL cannot hold (invalid UTF-8, NUL) is stored with U+FFFD in
    # its place, and the exact bytes in `metadata_cid_raw` (NULL when the text is the string itself).
    metadata_cid: Mapped[str] = mapped_column(Text)
    metadata_cid_raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    exited: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    community_dao: Mapped[str | None] = mapped_column(ADDRESS, nullable=True)
    created_block: Mapped[int] = mapped_column(BigInteger)
    created_tx: Mapped[str] = mapped_column(HASH)


class ChainBalance(Base):
    """Units of a project held by one address; a row exists only while the balance is above zero."""

    __tablename__ = "chain_balances"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "project_id", "holder", name="pk_chain_balances"),
        CheckConstraint("balance >= 0", name="non_negative"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    holder: Mapped[str] = mapped_column(ADDRESS)
    balance: Mapped[Decimal] = mapped_column(UINT256)


class ChainHolderCount(Base):
    """How many addresses hold a non-zero balance of a project; kept in step with `chain_balances`."""

    __tablename__ = "chain_holder_counts"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "project_id", name="pk_chain_holder_counts"),
        CheckConstraint("holders >= 0", name="non_negative"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    holders: Mapped[int] = mapped_column(BigInteger)


class ChainExit(EventPosition, Base):
    """A project handed to its community DAO (at most one per project: the contract freezes it after)."""

    __tablename__ = "chain_exits"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "project_id", name="pk_chain_exits"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    community_dao: Mapped[str] = mapped_column(ADDRESS)


class ChainDistribution(EventPosition, Base):
    """A recorded distribution of returns: total, merkle root of per-holder amounts, snapshot block."""

    __tablename__ = "chain_distributions"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "project_id", "distribution_id", name="pk_chain_distributions"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    distribution_id: Mapped[Decimal] = mapped_column(UINT256)
    total_amount: Mapped[Decimal] = mapped_column(UINT256)
    merkle_root: Mapped[str] = mapped_column(HASH)
    snapshot_block: Mapped[Decimal] = mapped_column(UINT256)


class ChainAllowlistEntry(Base):
    """The latest KYC allowlist decision for an address, and the event that made it."""

    __tablename__ = "chain_allowlist"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "account", name="pk_chain_allowlist"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(ADDRESS)
    allowed: Mapped[bool] = mapped_column(Boolean)
    block_number: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)


class ChainPause(Base):
    """Whether a contract (ownership or router) is paused, as of its latest Paused/Unpaused event."""

    __tablename__ = "chain_pauses"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "contract", name="pk_chain_pauses"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract: Mapped[str] = mapped_column(ADDRESS)
    paused: Mapped[bool] = mapped_column(Boolean)
    block_number: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)


class ChainRole(Base):
    """An AccessControl role of a contract and an account; `granted` false once revoked (the row keeps the event)."""

    __tablename__ = "chain_roles"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "contract", "role", "account", name="pk_chain_roles"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract: Mapped[str] = mapped_column(ADDRESS)
    role: Mapped[str] = mapped_column(HASH)
    account: Mapped[str] = mapped_column(ADDRESS)
    granted: Mapped[bool] = mapped_column(Boolean)
    block_number: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)


class ChainFrozen(Base):
    """The frozen amount of an account's units of a project (ERC-7943), as of its latest `Frozen` event: absolute,
    possibly above the balance; 0 once released (the row keeps the event that released it)."""

    __tablename__ = "chain_frozen"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "project_id", "account", name="pk_chain_frozen"),
        CheckConstraint("amount >= 0", name="non_negative"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    account: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[Decimal] = mapped_column(UINT256)
    block_number: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)
