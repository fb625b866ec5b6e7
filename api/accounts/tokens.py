"""Tokens, pure: JWT access tokens (HS256, issuer and audience pinned, `alg` pinned: `none` and every other
algorithm are refused), opaque refresh tokens kept only as their SHA-256, and CSRF tokens for cookie sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from api.errors import InvalidToken, TokenExpired

ALGORITHM = "HS256"
ISSUER = "terra-lumina-api"
AUDIENCE = "terra-lumina"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "sid", "typ", "iss", "aud"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    family_id: uuid.UUID  # the login (refresh-token family) this token came from
    expires_at: datetime
    csrf_hash: str | None  # set for cookie sessions: the SHA-256 of the CSRF token issued with it


def issue_access_token(
    key: str,
    *,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
    csrf_token: str | None = None,
) -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "sid": str(family_id),
        "jti": secrets.token_hex(16),
        "typ": ACCESS_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    if csrf_token is not None:
        claims["csrf"] = digest(csrf_token)
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(key: str, token: str) -> AccessClaims:
    """The claims of a token this API signed and that has not expired; InvalidToken or TokenExpired otherwise."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except jwt.PyJWTError:
        raise InvalidToken() from None
    if claims.get("typ") != ACCESS_TYPE:
        raise InvalidToken()
    try:
        user_id, family_id = uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["sid"]))
    except ValueError:
        raise InvalidToken() from None
    csrf = claims.get("csrf")
    return AccessClaims(
        user_id, family_id, datetime.fromtimestamp(int(claims["exp"]), UTC), str(csrf) if csrf else None
    )


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_refresh_token() -> tuple[str, str]:
    """(the token handed out, the hash stored)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
