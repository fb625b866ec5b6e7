"""What accounts take and give. Inputs refuse unknown fields (a typo is an error, not silently dropped)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from api.accounts.password_policy import MAX_LENGTH

# RFC 5321/5322 "atext" local parts and LDH domain labels: no spaces, quotes, angle brackets or parentheses, so
# markup or SQL cannot hide in an address. Internationalised domains come as punycode (xn--).
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?P<local>{_LOCAL})@(?P<domain>(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])")


def normalize_email(value: str) -> str:
    value = value.strip()
    match = _EMAIL.fullmatch(value)
    if match is None or len(match["local"]) > 64:
        raise ValueError("not an email address")
    return value.lower()


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


Email = Annotated[str, Field(max_length=254, examples=["ada@example.org"]), AfterValidator(normalize_email)]
Country = Annotated[
    str,
    BeforeValidator(_upper),
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["DE"]),
]
Password = Annotated[str, Field(max_length=MAX_LENGTH, description="At least 12 characters; see the policy.")]
SessionMode = Literal["bearer", "cookie"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Input):
    email: Email
    password: Password
    country: Country


class LoginIn(Input):
    email: Email
    password: Password
    mode: SessionMode = Field(
        default="bearer",
        description="bearer: tokens in the answer (API clients); cookie: Secure HttpOnly cookies and a CSRF token.",
    )


class RefreshIn(Input):
    refresh_token: str | None = Field(
        default=None, max_length=256, description="Bearer clients; the web app's cookie is used when absent."
    )
    mode: SessionMode = "bearer"


class UserUpdate(Input):
    country: Country


class UserOut(BaseModel):
    id: uuid.UUID
    email: str | None
    country: str | None
    kyc_status: str
    kyc_verified_at: datetime | None
    roles: list[str]
    created_at: datetime


class SessionOut(BaseModel):
    """A signed-in session. Bearer mode: the tokens. Cookie mode: the tokens are in cookies; the CSRF token (also
    in a readable cookie) goes back in the X-CSRF-Token header of every state-changing request."""

    user: UserOut
    mode: SessionMode
    token_type: Literal["bearer"] = "bearer"
    access_token: str | None = None
    refresh_token: str | None = None
    csrf_token: str | None = None
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires.")


class LoggedOut(BaseModel):
    logged_out: Literal[True] = True
