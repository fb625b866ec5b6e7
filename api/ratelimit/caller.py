"""Who a request counts against, read from the ASGI scope before routing: a valid access token (Bearer header or
the web app's cookie) names a user, anything else is the public tier by client IP (uvicorn's proxy headers have
already put the real client there when it runs behind a trusted proxy, API_FORWARDED_ALLOW_IPS).

Premium is a permission (`ratelimit.premium`, role `premium`), looked up in the database and kept per process for
a minute, so that a grant or revocation takes effect without a new token and the hot path rarely asks."""

from __future__ import annotations

import time
import uuid

import anyio.to_thread
import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import cookie_parser
from starlette.types import Scope

from api.accounts import repository
from api.accounts.cookies import ACCESS_COOKIE
from api.accounts.roles import PREMIUM_RATE_LIMIT
from api.accounts.tokens import read_access_token
from api.errors import ApiError
from api.ratelimit.policy import Caller, Tier

log = structlog.get_logger("api.ratelimit")
TIER_CACHE_SECONDS = 60.0
TIER_CACHE_SIZE = 50_000  # cleared when full: a flood of distinct users costs lookups, never memory
TOKEN_CACHE_SIZE = 10_000  # verified tokens (the same string cannot carry another signature), until they expire


def presented_token(scope: Scope) -> str | None:
    """The Bearer token, else the access cookie; None when neither is there (a malformed header too: the route
    refuses it, and until then the caller is public)."""
    cookie_header = None
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return (token.strip() or None) if scheme.lower() == "bearer" else None
        if name == b"cookie":
            cookie_header = value.decode("latin-1")
    if cookie_header is None:
        return None
    return cookie_parser(cookie_header).get(ACCESS_COOKIE) or None


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class CallerResolver:
    def __init__(self, sessions: sessionmaker[Session], jwt_key: str) -> None:
        self.sessions = sessions
        self.jwt_key = jwt_key
        self._tiers: dict[uuid.UUID, tuple[Tier, float]] = {}
        self._tokens: dict[str, tuple[uuid.UUID, float]] = {}

    async def resolve(self, scope: Scope) -> Caller:
        token = presented_token(scope)
        user_id = None if token is None else self._user_of(token)
        if user_id is not None:
            return Caller(await self._tier(user_id), f"user:{user_id}")
        return Caller(Tier.PUBLIC, f"ip:{client_ip(scope)}")

    def _user_of(self, token: str) -> uuid.UUID | None:
        """The user a valid token names; verified once per token string (an HMAC and JSON per request add up)."""
        cached = self._tokens.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        try:
            claims = read_access_token(self.jwt_key, token)
        except ApiError:  # expired, forged, not ours: the route answers 401; it counts as public meanwhile
            self._tokens.pop(token, None)
            return None
        if len(self._tokens) >= TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[token] = (claims.user_id, claims.expires_at.timestamp())
        return claims.user_id

    async def _tier(self, user_id: uuid.UUID) -> Tier:
        now = time.monotonic()
        cached = self._tiers.get(user_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            premium = await anyio.to_thread.run_sync(self._is_premium, user_id)
        except SQLAlchemyError as exc:  # the route will fail on the database too; no need to refuse here
            log.warning("rate_limit_tier_lookup_failed", error_type=type(exc).__name__)
            return Tier.AUTHENTICATED
        tier = Tier.PREMIUM if premium else Tier.AUTHENTICATED
        if len(self._tiers) >= TIER_CACHE_SIZE:
            self._tiers.clear()
        self._tiers[user_id] = (tier, now + TIER_CACHE_SECONDS)
        return tier

    def _is_premium(self, user_id: uuid.UUID) -> bool:
        with self.sessions() as session:
            return repository.has_permission(session, user_id, PREMIUM_RATE_LIMIT)
