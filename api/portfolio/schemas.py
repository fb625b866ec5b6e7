"""What GET /portfolio, GET /returns and the portfolio WebSocket answer. Token ids and token amounts are uint256 on
chain: they travel as decimal strings (a JavaScript number loses digits above 2^53); dollars as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field


class PortfolioAddress(BaseModel):
    address: str = Field(description="Lowercase 0x address.")
    kind: Literal["custodial", "wallet"] = Field(
        description="The custodial address card payments mint to, or a wallet linked by SIWE."
    )


class AddressBalance(BaseModel):
    address: str
    kind: Literal["custodial", "wallet"]
    balance: str = Field(description="Token units held at this address (1 unit = 1 US cent at issue).")
    frozen: str = Field(description="Units frozen by compliance (ERC-7943) at this address; may exceed the balance.")


class Holding(BaseModel):
    token_id: str = Field(description="The project's ERC-1155 token id.")
    name: str | None = Field(description="The catalogue name; null for a token with no catalogue entry.")
    technology: str | None
    supply_cap: str = Field(description="The project's cap in units (= its funding target in cents).")
    balance: str = Field(description="Units held across all the user's addresses.")
    share: str = Field(description="balance / supply_cap as a decimal, exact or cut after 18 places (see share_exact).")
    share_exact: bool
    value_cents: str = Field(description="Value at issue price: one unit is one cent.")
    value_dollars: Decimal
    frozen: str = Field(description="Units that cannot move: per address the smaller of frozen amount and balance.")
    exited: bool = Field(description="The project was handed to its community DAO; its tokens are frozen for good.")
    addresses: list[AddressBalance]


class PendingInvestment(BaseModel):
    id: uuid.UUID
    token_id: str
    name: str | None
    amount_cents: int
    amount_dollars: Decimal
    method: str
    status: str = Field(description="pending_payment, paid or minting.")
    created_at: datetime


class PortfolioTotals(BaseModel):
    projects: int
    balance: str = Field(description="Units held across every project.")
    value_cents: str
    value_dollars: Decimal
    frozen: str
    pending_cents: int = Field(description="Investments in flight (not minted and indexed yet).")
    pending_dollars: Decimal


class Portfolio(BaseModel):
    addresses: list[PortfolioAddress]
    holdings: list[Holding]
    pending: list[PendingInvestment]
    totals: PortfolioTotals
    returns: ReturnsSummary | None = Field(
        default=None, description="Distributions recorded for the user: paid in, distributed, claimed (GET /returns)."
    )


class Distribution(BaseModel):
    token_id: str
    name: str | None
    distribution_id: str
    total_amount: str = Field(description="The distribution's total in the payout currency's smallest unit.")
    merkle_root: str
    snapshot_block: str
    block_number: int
    tx_hash: str
    recorded_at: datetime
    final: bool = Field(description="The block that recorded it is final.")
    balance_at_snapshot: str = Field(description="Units the user's addresses held at the snapshot block.")
    supply_at_snapshot: str = Field(description="Units in circulation at the snapshot block.")
    estimated_amount: str | None = Field(
        description="total_amount x balance_at_snapshot / supply_at_snapshot, rounded down: an estimate; the amount "
        "the user can claim is their merkle leaf, which the index does not hold. Null if the index is inconsistent."
    )


class ReturnsTotals(BaseModel):
    distributions: int
    estimated_amount: str = Field(description="Sum of the estimates, in the payout currency's smallest unit.")


class Share(BaseModel):
    """The user's exact share of a distribution the platform recorded: one merkle leaf at one of their addresses."""

    distribution_id: int
    project_id: uuid.UUID
    token_id: str
    name: str
    distribution_type: str
    distribution_date: date
    account: str
    account_kind: Literal["custodial", "wallet"] = Field(
        description="custodial: the platform claims it for you; wallet: claim it from the wallet "
        "(POST /distributions/claim)."
    )
    amount_cents: int
    amount_dollars: Decimal
    claimed: bool = Field(description="The index holds the Distributor's Claimed event for it.")
    claimed_at: datetime | None
    claim_tx_hash: str | None


class ProjectReturns(BaseModel):
    project_id: uuid.UUID
    token_id: str
    name: str
    principal_cents: int = Field(description="What the user paid in for the project (investments minted).")
    distributed_cents: int
    claimed_cents: int
    unclaimed_cents: int
    yield_on_principal: str | None = Field(description="distributed / principal, 6 decimals; null without principal.")


class ReturnsSummary(BaseModel):
    principal_cents: int
    distributed_cents: int
    claimed_cents: int
    unclaimed_cents: int
    yield_on_principal: str | None


class Returns(BaseModel):
    distributions: list[Distribution]
    totals: ReturnsTotals
    basis: str = Field(description="How the estimates were computed and what they leave out.")
    shares: list[Share] = Field(
        default_factory=list, description="Every exact share recorded for the user (all of them, newest first)."
    )
    by_project: list[ProjectReturns] = Field(default_factory=list)
    summary: ReturnsSummary | None = None


class PortfolioUpdate(BaseModel):
    """One WebSocket message: the portfolio as GET /portfolio gives it, and what made the server send it."""

    type: Literal["portfolio_update"] = "portfolio_update"
    data: Portfolio
    meta: dict[str, Any]
    causes: list[dict[str, Any]] = Field(description="connected, resync (after a lost LISTEN), index or investment.")


Portfolio.model_rebuild()  # its `returns` names ReturnsSummary, defined after it
