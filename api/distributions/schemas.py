"""Request and answer bodies of the distribution routes. Amounts: cents as integers, the payout token's smallest
units as decimal strings (exact for every JSON reader)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"


class ProofOut(BaseModel):
    distribution_id: int
    project_token_id: str
    account: str
    account_kind: Literal["custodial", "wallet"]
    amount_cents: int
    amount_units: str
    proof: list[str]
    merkle_root: str
    distributor: str
    chain_id: int
    claim_deadline: datetime
    claimed: bool
    claimed_at: datetime | None
    claim_tx_hash: str | None
    calldata: str = Field(description="Distributor.claim(distributionId, account, amount, proof), ABI-encoded.")


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    distribution_id: int = Field(ge=1)
    account: str = Field(pattern=ADDRESS_PATTERN)


class TransactionOut(BaseModel):
    """What a wallet signs and sends (eth_sendTransaction): nothing is sent by the platform."""

    to: str
    data: str
    value: str = "0x0"
    chain_id: int


class ClaimOut(BaseModel):
    distribution_id: int
    account: str
    amount_units: str
    transaction: TransactionOut


class DistributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID
    amount: Decimal = Field(max_digits=15, decimal_places=2, description="Total in US dollars, e.g. 12500.00.")
    distribution_type: Literal["quarterly", "annual", "exit"]
    energy_generated_mwh: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    snapshot_block: int | None = Field(default=None, ge=0, description="A final block; default: the newest final.")
    distribution_date: date | None = None
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=255)


class DistributionOut(BaseModel):
    id: int
    project_id: uuid.UUID
    project_token_id: str
    chain_id: int
    distribution_type: str
    distribution_date: date
    total_cents: int
    total_units: str
    energy_generated_mwh: Decimal | None
    snapshot_block: int
    merkle_root: str
    holder_count: int
    status: str
    claim_deadline: datetime
    created: bool = Field(description="False when the idempotency key had recorded it already.")
