"""Time series by block time (transfers, mints, payments): range-partitioned by month in plain PostgreSQL, or
TimescaleDB hypertables where the extension exists (migration 0002 picks). Daily aggregates are materialized views
(`chain_transfers_daily`, `chain_mints_daily`, `chain_payments_daily`, their `day` a UTC midnight as
timestamptz on both paths) refreshed by the indexer, continuous aggregates on TimescaleDB.

The primary keys include `block_time` because both partitioning schemes demand it; block time is a function of the
block hash, so uniqueness is still that of (chain, block hash, log index[, batch index]).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Index, Integer, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS, HASH
from core.models.chain_ownership import UINT256

PARTITION_BY_MONTH = "RANGE (block_time)"


class SeriesPosition:
    """Where and when an event happened: the columns every time-series row starts with."""

    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(HASH)
    log_index: Mapped[int] = mapped_column(Integer)


class ChainTransferRecord(SeriesPosition, Base):
    """One (token id, amount) movement: a TransferSingle, or one entry of a TransferBatch (`batch_index`)."""

    __tablename__ = "chain_transfer_series"
    __table_args__ = (
        PrimaryKeyConstraint(
            "chain_id", "block_hash", "log_index", "batch_index", "block_time", name="pk_chain_transfer_series"
        ),
        Index("ix_chain_transfer_series_chain_id_block_number", "chain_id", "block_number", postgresql_using="brin"),
        {"postgresql_partition_by": PARTITION_BY_MONTH},
    )

    batch_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(HASH)
    operator: Mapped[str] = mapped_column(ADDRESS)
    from_address: Mapped[str] = mapped_column(ADDRESS)
    to_address: Mapped[str] = mapped_column(ADDRESS)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    amount: Mapped[Decimal] = mapped_column(UINT256)


class ChainMintRecord(SeriesPosition, Base):
    """An InvestmentMinted event on the time axis."""

    __tablename__ = "chain_mint_series"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "block_hash", "log_index", "block_time", name="pk_chain_mint_series"),
        Index("ix_chain_mint_series_chain_id_block_number", "chain_id", "block_number", postgresql_using="brin"),
        {"postgresql_partition_by": PARTITION_BY_MONTH},
    )

    tx_hash: Mapped[str] = mapped_column(HASH)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    investor: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[Decimal] = mapped_column(UINT256)
    payment_ref: Mapped[str] = mapped_column(HASH)


class ChainPaymentRecord(SeriesPosition, Base):
    """A PaymentReceived event on the time axis."""

    __tablename__ = "chain_payment_series"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "block_hash", "log_index", "block_time", name="pk_chain_payment_series"),
        Index("ix_chain_payment_series_chain_id_block_number", "chain_id", "block_number", postgresql_using="brin"),
        {"postgresql_partition_by": PARTITION_BY_MONTH},
    )

    tx_hash: Mapped[str] = mapped_column(HASH)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    payer: Mapped[str] = mapped_column(ADDRESS)
    token: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[Decimal] = mapped_column(UINT256)
    payment_ref: Mapped[str] = mapped_column(HASH)
