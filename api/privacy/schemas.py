"""What privacy takes and gives. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.password_policy import MAX_LENGTH


class DeleteAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(
        default=None,
        max_length=MAX_LENGTH,
        description="The account's password (required for accounts that have one; wallet-only accounts omit it).",
    )


class AccountDeleted(BaseModel):
    deleted: Literal[True] = True
    deleted_at: datetime
