"""What the investments routes take and give. Inputs refuse unknown fields; money comes in as integer cents or a
decimal string of dollars (never a JSON float) and goes out as both; uint256 token amounts go out as strings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from api.investments.amounts import DOLLARS, dollars_to_cents

MAX_CENTS = 10**13  # $100 billion: far above any cap, far below BIGINT
MAX_DECLARED_CENTS = 10**15

Cents = Annotated[StrictInt, Field(ge=1, le=MAX_CENTS, description="Amount in US cents (an integer).")]
Dollars = Annotated[
    StrictStr,
    Field(
        max_length=14,
        pattern=DOLLARS.pattern,
        description="Amount in US dollars as a decimal string with at most two decimals.",
        examples=["25.00"],
    ),
]
Address = Annotated[StrictStr, Field(pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x" + "ab" * 20])]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvestmentIn(Input):
    project_id: uuid.UUID = Field(description="The catalogue id of the project (`id` in GET /projects).")
    amount: Dollars | None = None
    amount_cents: Cents | None = None
    method: Literal["card", "crypto"]
    wallet: Address | None = Field(
        default=None, description="crypto only: the linked wallet (Sign-In with Ethereum) that pays and receives."
    )

    @model_validator(mode="after")
    def _one_amount(self) -> InvestmentIn:
        if (self.amount is None) == (self.amount_cents is None):
            raise ValueError("give exactly one of amount (dollars, e.g. '25.00') or amount_cents")
        if self.method == "card" and self.wallet is not None:
            raise ValueError("wallet is for crypto payments; a card investment goes to your custodial address")
        if self.cents > MAX_CENTS:
            raise ValueError("amount too large")
        return self

    @property
    def cents(self) -> int:
        if self.amount_cents is not None:
            return self.amount_cents
        assert self.amount is not None
        return dollars_to_cents(self.amount)


class StatusChangeOut(BaseModel):
    at: datetime
    from_status: str | None
    to_status: str
    cause: str


class InvestmentOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID | None = Field(description="Catalogue id (null when the catalogue has no such project).")
    token_id: int = Field(description="The project's ERC-1155 token id on chain.")
    chain_id: int
    amount_cents: int
    amount: str = Field(description="The amount in dollars, e.g. '25.00'.")
    currency: str
    method: str
    status: str
    payment_ref: str
    wallet: str | None
    recipient: str | None
    reserved_until: datetime | None
    mint_tx_hash: str | None
    mint_block: int | None
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime


class CardPaymentOut(BaseModel):
    method: Literal["card"] = "card"
    provider: Literal["stripe"] = "stripe"
    payment_intent_id: str
    client_secret: str = Field(description="For Stripe.js confirmCardPayment; shown only in this answer.")
    publishable_key: str


class ContractCall(BaseModel):
    to: str
    function: str
    args: dict[str, Any]
    calldata: str


class CryptoPaymentOut(BaseModel):
    method: Literal["crypto"] = "crypto"
    chain_id: int
    router: str = Field(description="The PaymentRouter address.")
    token: str = Field(description="The stablecoin address.")
    token_decimals: int
    amount_units: str = Field(description="The amount in the stablecoin's smallest unit (a uint256, as a string).")
    payment_ref: str
    payer: str = Field(description="The wallet that must send both transactions (a reference is bound to its payer).")
    approve: ContractCall = Field(description="First: let the router pull the amount.")
    pay: ContractCall = Field(description="Then: pay(projectId, token, amount, paymentRef) on the router.")


class CreatedInvestment(BaseModel):
    investment: InvestmentOut
    payment: Annotated[CardPaymentOut | CryptoPaymentOut, Field(discriminator="method")]


class InvestmentDetail(InvestmentOut):
    history: list[StatusChangeOut]
    payment: CryptoPaymentOut | None = Field(
        default=None, description="A crypto investment still waiting for its payment: the instructions again."
    )


DeclaredCents = Annotated[StrictInt, Field(ge=0, le=MAX_DECLARED_CENTS)]


class InvestorProfileIn(Input):
    annual_income_cents: DeclaredCents | None = Field(default=None, description="Declared annual income, US cents.")
    net_worth_cents: DeclaredCents | None = Field(default=None, description="Declared net worth, US cents.")


class InvestorProfileOut(BaseModel):
    annual_income_cents: int | None
    net_worth_cents: int | None
    declared_at: datetime | None
    limit_cents: int = Field(description="What you may invest in the window (Regulation Crowdfunding).")
    used_cents: int = Field(description="What counts against it now.")
    remaining_cents: int
    window_days: int
