"""Bodies of the exit routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"


class ExitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_dao: str = Field(pattern=ADDRESS_PATTERN, description="Who receives the project (its DAO).")
    exit_amount: Decimal | None = Field(
        default=None, max_digits=15, decimal_places=2, description="An exit distribution's total in US dollars."
    )
    energy_generated_mwh: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)


class ExitOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    community_dao: str
    exit_distribution_id: int | None
    status: str
    created_at: datetime


class StatementLineOut(BaseModel):
    distribution_id: int
    distribution_type: str
    distribution_date: str
    amount_cents: int
    claimed_cents: int
    unclaimed_cents: int
    claimed_at: datetime | None


class StatementOut(BaseModel):
    project_id: uuid.UUID
    exited: bool
    addresses: list[str]
    principal_cents: int
    balance_units: int
    distributions: list[StatementLineOut]
    distributed_cents: int
    claimed_cents: int
    unclaimed_cents: int
    exit_payout_cents: int
