"""The public catalogue's shapes: the list query (filters, search, radius, sort) and the projects it answers with,
their on-chain figures from the index, documents and updates."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Technology = Literal["solar", "wind", "hydro", "storage", "biomass", "geothermal"]  # core.models.catalogue
ProjectStatus = Literal["planning", "construction", "operating", "exited"]
SortKey = Literal[
    "relevance",
    "distance",
    "name",
    "-name",
    "created_at",
    "-created_at",
    "target",
    "-target",
    "raised",
    "-raised",
    "expected_return",
    "-expected_return",
]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]
# Half the Earth's circumference: every point is within it.
MAX_RADIUS_KM = 20_038.0


@dataclass(frozen=True)
class Near:
    """A radius search: points within `radius_km` of (lat, lon), great-circle on the mean-radius sphere."""

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class ProjectQuery:
    technology: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    q: str | None = None
    near: Near | None = None
    sort: str = "-created_at"

    def cache_key(self, page: int, per_page: int) -> str:
        """The same query always gives the same short key (free text is hashed, so keys stay small)."""
        near = f"{self.near.lat!r},{self.near.lon!r},{self.near.radius_km!r}" if self.near else ""
        q = hashlib.blake2b(self.q.encode(), digest_size=12).hexdigest() if self.q is not None else ""
        parts = (",".join(self.technology), ",".join(self.status), ",".join(self.country), q, near, self.sort)
        return "|".join(parts) + f"|{page}|{per_page}"


class Location(BaseModel):
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    city: str | None
    latitude: float | None = Field(description="WGS 84 degrees.")
    longitude: float | None


class ChainFigures(BaseModel):
    """What the index says about the project's token, in cents (one token unit = one cent)."""

    cap_cents: int
    raised_cents: int = Field(description="Minted so far = total supply.")
    remaining_cents: int = Field(description="What can still be minted (0 once exited).")
    exited: bool
    as_of_block: int | None = Field(description="The indexed block these figures are as of.")


class ChainDetail(ChainFigures):
    holders: int
    exit_block: int | None
    community_dao: str | None


class ProjectSummary(BaseModel):
    id: uuid.UUID
    chain_id: int
    token_id: int
    name: str
    description: str
    technology: str
    status: str
    capacity_mw: Decimal | None
    location: Location
    target_cents: int
    min_investment_cents: int
    expected_return_annual: Decimal | None = Field(description="Percent a year.")
    exit_timeline_years: int | None
    metadata_cid: str | None
    created_at: datetime
    updated_at: datetime
    on_chain: ChainFigures | None = Field(description="Null until the indexer has seen the project created.")
    distance_km: float | None = Field(default=None, description="Only in radius searches.")


class DocumentOut(BaseModel):
    id: uuid.UUID
    title: str
    cid: str
    url: str = Field(description="Served verified from the content store.")
    media_type: str
    size_bytes: int | None
    created_at: datetime


class UpdateOut(BaseModel):
    id: uuid.UUID
    title: str
    content: str
    update_type: str
    published_at: datetime


class ProjectDetail(ProjectSummary):
    on_chain: ChainDetail | None = Field(description="Null until the indexer has seen the project created.")
    documents: list[DocumentOut]
    updates: list[UpdateOut] = Field(description="Newest first.")
