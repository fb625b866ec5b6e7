"""What an investor declared about their means (annual income, net worth): the basis of their 12-month investment
limit under Regulation Crowdfunding. Personal data: exported and erased with the account."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class InvestorProfile(Base):
    __tablename__ = "investor_profiles"
    __table_args__ = (
        CheckConstraint("annual_income_cents IS NULL OR annual_income_cents >= 0", name="income_not_negative"),
        CheckConstraint("net_worth_cents IS NULL OR net_worth_cents >= 0", name="net_worth_not_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # US cents, as declared; NULL: not declared (the limit's floor applies).
    annual_income_cents: Mapped[int | None] = mapped_column(BigInteger)
    net_worth_cents: Mapped[int | None] = mapped_column(BigInteger)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
