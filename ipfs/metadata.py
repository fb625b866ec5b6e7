"""Project metadata documents: the model, their canonical bytes (hence a stable CID) and ERC-1155 metadata JSON.

Canonical form: the model dumped to JSON types with unset optional fields left out, keys sorted (by code point),
no insignificant whitespace, UTF-8 without escapes, no floats anywhere (decimals are normalised strings, times
are UTC with `Z`). The same metadata always gives the same bytes, so the same CID on chain.
"""

from __future__ import annotations

import json
from datetime import UTC, date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from ipfs.cid import canonical, compute_cid
from ipfs.errors import InvalidCid
from ipfs.store import ContentStore

UINT256_LIMIT = 2**256


def _decimal_text(value: Decimal) -> str:
    """One spelling per number: no exponent, no trailing zeros, no negative zero ("50.0" and "5E+1" → "50")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def _utc_text(value: AwareDatetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


CanonicalDecimal = Annotated[Decimal, PlainSerializer(_decimal_text, return_type=str, when_used="json")]
UtcDatetime = Annotated[AwareDatetime, PlainSerializer(_utc_text, return_type=str, when_used="json")]
# Floats are refused: their text differs between languages, which would break "same metadata, same CID".
SpecValue = StrictStr | StrictInt | StrictBool


class Technology(StrEnum):
    SOLAR = "solar"
    WIND = "wind"
    HYDRO = "hydro"
    GEOTHERMAL = "geothermal"
    BIOMASS = "biomass"
    STORAGE = "storage"
    HYBRID = "hybrid"


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Document):
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. US.")
    region: str | None = None
    city: str | None = None
    latitude: CanonicalDecimal | None = Field(default=None, ge=-90, le=90)
    longitude: CanonicalDecimal | None = Field(default=None, ge=-180, le=180)


class ProjectDocument(_Document):
    """A file about the project (prospectus, environmental impact...), itself stored by CID."""

    type: str = Field(min_length=1)
    # The seed's documents call it `ipfs_hash`; accepted on input, always written as `cid`.
    cid: str = Field(validation_alias=AliasChoices("cid", "ipfs_hash"))
    uploaded_at: UtcDatetime

    @field_validator("cid")
    @classmethod
    def _canonical_cid(cls, value: str) -> str:
        # CIDv0 and CIDv1 of a document are the same content; one spelling keeps the metadata CID stable.
        try:
            return canonical(value)
        except InvalidCid as exc:
            raise ValueError(exc.message) from None  # pydantic reports ValueErrors as validation errors


class Verification(_Document):
    third_party_auditor: str = Field(min_length=1)
    audit_date: date
    certification: str = Field(min_length=1)


class ProjectMetadata(_Document):
    token_id: int = Field(ge=0, lt=UINT256_LIMIT, description="ERC-1155 token id = project id.")
    supply_cap_cents: int = Field(gt=0, lt=UINT256_LIMIT, description="Funding target in US cents = supply cap.")
    name: str = Field(min_length=1, max_length=200)
    description: str
    technology: Technology
    capacity_mw: CanonicalDecimal = Field(ge=0, allow_inf_nan=False)
    location: Location
    documents: list[ProjectDocument] = Field(default_factory=list)
    technical_specs: dict[str, SpecValue] = Field(default_factory=dict)
    verification: Verification | None = None
    project_id: str | None = Field(default=None, description="The seed's off-chain project id, if any.")


def canonical_bytes(meta: ProjectMetadata) -> bytes:
    document = meta.model_dump(mode="json", exclude_none=True)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def metadata_cid(meta: ProjectMetadata) -> str:
    """The CID `pin_metadata` will return, computed without any store."""
    return compute_cid(canonical_bytes(meta))


def parse_metadata(data: bytes) -> ProjectMetadata:
    return ProjectMetadata.model_validate_json(data)


def erc1155_metadata(meta: ProjectMetadata, image_url: str | None = None) -> dict[str, Any]:
    """The JSON the contract's `uri(id)` points at (ERC-1155 metadata JSON schema)."""
    doc = meta.model_dump(mode="json", exclude_none=True)
    properties: dict[str, Any] = {
        "token_id": meta.token_id,
        "supply_cap_cents": meta.supply_cap_cents,
        "technology": doc["technology"],
        "capacity_mw": doc["capacity_mw"],
        "location": doc["location"],
        "documents": [{**d, "uri": f"ipfs://{d['cid']}"} for d in doc["documents"]],
        "technical_specs": doc["technical_specs"],
    }
    if "verification" in doc:
        properties["verification"] = doc["verification"]
    result: dict[str, Any] = {
        "name": meta.name,
        "description": meta.description,
        # One token unit is one US cent of principal: two decimals make wallets show a holding in dollars.
        "decimals": 2,
        "properties": properties,
    }
    if image_url is not None:
        result["image"] = image_url
    return result


def erc1155_document(
    meta: ProjectMetadata, *, offering: dict[str, Any] | None = None, image_url: str | None = None
) -> dict[str, Any]:
    """The ERC-1155 metadata JSON of a project as it is pinned (and what `uri(id)` serves): `erc1155_metadata`
    with the offering's terms (minimum investment, expected return, exit timeline) under `properties.offering`."""
    document = erc1155_metadata(meta, image_url)
    if offering:
        document["properties"]["offering"] = dict(offering)
    return document


def json_bytes(document: dict[str, Any]) -> bytes:
    """Any JSON document in the canonical form above (sorted keys, no whitespace, UTF-8); floats are refused, so
    the same document always gives the same bytes and the same CID."""
    _refuse_floats(document)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats have no canonical text; give decimals as strings")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)


def pin_document(store: ContentStore, document: dict[str, Any]) -> str:
    """Store and pin a JSON document in canonical form; returns its CID."""
    cid = store.add(json_bytes(document))
    store.pin(cid)
    return cid


def pin_metadata(store: ContentStore, meta: ProjectMetadata) -> str:
    """Store and pin the canonical document; the CID returned is what `createProject` records on chain."""
    cid = store.add(canonical_bytes(meta))
    store.pin(cid)
    return cid


def load_metadata(store: ContentStore, cid: str) -> ProjectMetadata:
    """The metadata document behind `cid`, verified by the store and validated by the model."""
    return parse_metadata(store.get(cid))
