"""The indexer's own bookkeeping: every decoded event as it came off the chain, the unfinalized block window
and the checkpoint that says how far the mirror reaches (written in the same transaction as the rows it covers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, PrimaryKeyConstraint, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base

# Hex compares bytewise: collation "C" keeps index comparisons memcmp-cheap whatever the database's locale.
HASH = String(66, collation="C")  # 0x + 64 lowercase hex
ADDRESS = String(42, collation="C")  # 0x + 40 lowercase hex


class ChainEvent(Base):
    """One log of our contracts, decoded; derived tables are a fold of these rows (and can be undone from them)."""

    __tablename__ = "chain_events"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "block_hash", "log_index", name="pk_chain_events"),
        Index("ix_chain_events_chain_id_block_number", "chain_id", "block_number"),
        # A distribution's Distributor events (funded, claims, sweep): read by core/distributions/claims.py.
        Index(
            "ix_chain_events_distributor",
            "chain_id",
            text("((args ->> 'distribution_id')::numeric(78, 0))"),
            text("(args ->> 'account')"),
            postgresql_where=text("event_name IN ('DistributionFunded', 'Claimed', 'Swept')"),
        ),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(HASH)
    log_index: Mapped[int] = mapped_column(Integer)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HASH)
    tx_index: Mapped[int] = mapped_column(Integer)
    block_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    contract: Mapped[str] = mapped_column(ADDRESS)
    event_name: Mapped[str] = mapped_column(String(64))
    # uint256 values as decimal strings (exact for every JSON reader), addresses and bytes32 as lowercase hex.
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)
    final: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ChainBlock(Base):
    """The unfinalized window (plus the newest final block as its anchor): what a reorg is detected against."""

    __tablename__ = "chain_blocks"
    __table_args__ = (PrimaryKeyConstraint("chain_id", "number", name="pk_chain_blocks"),)

    chain_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(HASH)
    parent_hash: Mapped[str] = mapped_column(HASH)
    block_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    final: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ChainCheckpoint(Base):
    """One row per chain: every event up to `block_number` (whose hash is `block_hash`) is mirrored."""

    __tablename__ = "chain_checkpoints"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(HASH)
    finalized_block: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
