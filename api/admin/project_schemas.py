"""What the admin project routes take and give. Inputs refuse unknown fields; money in integer cents."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from api.admin.text import Line, Text

Technology = Literal["solar", "wind", "hydro", "storage", "biomass", "geothermal"]
NewStatus = Literal["planning", "construction", "operating"]  # exited only ever comes from the chain
UpdateType = Literal["progress", "financial", "community"]
StrictInt = Annotated[int, Strict()]
MIN_INVESTMENT_CENTS = 1_000  # $10, the platform's minimum
MAX_CENTS = 2**63 - 1  # BIGINT


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Input):
    country: Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")]
    city: Line | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=9, decimal_places=6)

    @model_validator(mode="after")
    def _coordinates_together(self) -> LocationIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


SpecValue = Annotated[str, Field(max_length=500)] | StrictInt | Annotated[bool, Strict()]


class ProjectIn(Input):
    name: Line
    description: Text
    technology: Technology
    capacity_mw: Decimal = Field(gt=0, max_digits=10, decimal_places=2, description="Nameplate capacity in MW.")
    location: LocationIn
    status: NewStatus = "planning"
    target_cents: StrictInt = Field(
        gt=0, le=MAX_CENTS, description="Funding target in US cents: the supply cap on chain (1 token = 1 cent)."
    )
    min_investment_cents: StrictInt = Field(default=MIN_INVESTMENT_CENTS, ge=MIN_INVESTMENT_CENTS, le=MAX_CENTS)
    expected_return_annual: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2, description="% a year.")
    exit_timeline_years: StrictInt = Field(ge=1, le=100)
    technical_specs: dict[Annotated[str, Field(min_length=1, max_length=64)], SpecValue] = Field(
        default_factory=dict, max_length=50, description="Shown in the metadata's properties."
    )

    @model_validator(mode="after")
    def _minimum_within_target(self) -> ProjectIn:
        if self.min_investment_cents > self.target_cents:
            raise ValueError("min_investment_cents cannot exceed target_cents")
        return self


class UpdateIn(Input):
    title: Line
    content: Text
    update_type: UpdateType = "progress"


MediaType = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    Field(pattern=r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$", max_length=255),
]


class DocumentRefIn(Input):
    title: Line
    cid: Annotated[str, Field(min_length=1, max_length=200)]
    media_type: MediaType = "application/octet-stream"


class ChainCreationOut(BaseModel):
    """Where `createProject` stands: pending (queued for the relayer), submitted, done (on chain and indexed) or
    failed (with the decoded revert reason)."""

    status: str
    tx_hash: str | None
    error: str | None


class AdminProjectOut(BaseModel):
    id: uuid.UUID
    chain_id: int
    token_id: int
    name: str
    description: str
    technology: str
    capacity_mw: Decimal | None
    location_country: str | None
    location_city: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    status: str
    target_cents: int
    min_investment_cents: int
    expected_return_annual: Decimal | None
    exit_timeline_years: int | None
    metadata_cid: str | None
    metadata_uri: str | None
    created_at: datetime
    updated_at: datetime
    chain_creation: ChainCreationOut | None


class UpdateOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    content: str
    update_type: str
    author_user_id: uuid.UUID | None
    published_at: datetime


class DocumentOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    cid: str
    uri: str
    url: str
    media_type: str
    size_bytes: int | None
    created_at: datetime
