"""The seed's response envelope: `{success, data, meta}` for answers, `{success: false, error, meta}` for errors.

`meta` always carries the time, the API version and the request id; lists add their page figures, answers that
read the chain mirror add how far it reaches (`indexed_block`, `block_hash`, `finalized_block`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from api.request_context import current_request_id

API_VERSION = "1.0.0"  # the contract served under /api/v1

DataT = TypeVar("DataT")
MetaT = TypeVar("MetaT", bound="Meta")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Meta(BaseModel):
    timestamp: datetime = Field(default_factory=_now)
    version: str = API_VERSION
    request_id: str = Field(default_factory=current_request_id)


class PageMeta(Meta):
    page: int
    per_page: int
    total: int
    pages: int


class ChainMeta(Meta):
    """How far the chain mirror reached when the answer was read: null figures mean nothing is indexed yet."""

    indexed_block: int | None
    block_hash: str | None
    finalized_block: int | None


class ChainPageMeta(PageMeta, ChainMeta):
    pass


class Envelope(BaseModel, Generic[DataT, MetaT]):
    success: Literal[True] = True
    data: DataT
    meta: MetaT


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(BaseModel):
    success: Literal[False] = False
    error: ErrorBody
    meta: Meta = Field(default_factory=Meta)


def ok(data: DataT) -> Envelope[DataT, Meta]:
    return Envelope[DataT, Meta](data=data, meta=Meta())
