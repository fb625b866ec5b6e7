"""What KYC takes and gives. The names go to the provider only: we keep the check's outcome, not the person."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Letters of any script, with the spaces, apostrophes, hyphens and dots names carry; no digits, markup or quotes
# that could hide a script or SQL.
Name = Annotated[
    str,
    Field(min_length=1, max_length=100, pattern=r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$", examples=["Ada"]),
]
KycStatus = Literal["pending", "submitted", "verified", "rejected"]


class KycStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: Name
    last_name: Name


class KycStartOut(BaseModel):
    status: KycStatus
    provider: str
    applicant_id: str
    check_id: str
    sdk_token: str = Field(description="For the provider's SDK in the client, where the user takes the photos.")


class KycStatusOut(BaseModel):
    status: KycStatus
    verified_at: datetime | None
    provider: str | None = None
    applicant_id: str | None = None
    check_id: str | None = None
    record_id: uuid.UUID | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None


class WebhookOut(BaseModel):
    received: bool = True
    duplicate: bool
    outcome: str
