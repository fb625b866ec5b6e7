"""Money in and tokens out, keyed by payment reference: the relayer's proof that a reference minted (at most once)
and that a crypto payment arrived (once per payer and reference). `final` tells whether the block is past finality."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Index, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.chain_mirror import ADDRESS, HASH
from core.models.chain_ownership import UINT256, EventPosition


class ChainMint(EventPosition, Base):
    """An InvestmentMinted event: `amount` units of a project minted to `investor` for `payment_ref`."""

    __tablename__ = "chain_mints"
    __table_args__ = (
        PrimaryKeyConstraint("chain_id", "payment_ref", name="pk_chain_mints"),
        Index("ix_chain_mints_chain_id_block_number", "chain_id", "block_number"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    payment_ref: Mapped[str] = mapped_column(HASH)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    investor: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[Decimal] = mapped_column(UINT256)


class ChainPayment(EventPosition, Base):
    """A PaymentReceived event of the PaymentRouter: stablecoin `amount` (token's smallest unit) for a project."""

    __tablename__ = "chain_payments"
    __table_args__ = (
        # PaymentRouter binds a reference to its payer: two payers may use the same reference, each once.
        PrimaryKeyConstraint("chain_id", "payment_ref", "payer", name="pk_chain_payments"),
        Index("ix_chain_payments_chain_id_payment_ref", "chain_id", "payment_ref"),
        Index("ix_chain_payments_chain_id_block_number", "chain_id", "block_number"),
    )

    chain_id: Mapped[int] = mapped_column(BigInteger)
    payment_ref: Mapped[str] = mapped_column(HASH)
    payer: Mapped[str] = mapped_column(ADDRESS)
    project_id: Mapped[Decimal] = mapped_column(UINT256)
    token: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[Decimal] = mapped_column(UINT256)
