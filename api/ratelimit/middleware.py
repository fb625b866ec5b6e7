"""The rate-limit middleware (pure ASGI, before routing): counts each request against its caller's tier, adds
X-RateLimit-Limit/Remaining/Reset to every limited answer and refuses with 429 RATE_LIMITED and Retry-After.

When the storage (Redis) fails it fails open: the request is served unchecked, counted in
terralumina_rate_limit_unchecked_total, and Redis is left alone for BACKOFF_SECONDS, with one warning per such
pause. An outage of the limiter's store should not become an outage of the API; the limits are abuse control,
and logins keep their own lockout in PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import structlog
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.errors import StorageError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.errors import RateLimited, error_response
from api.ratelimit.caller import CallerResolver
from api.ratelimit.policy import EXEMPT_PATHS, Caller, Decision, Tiers
from api.settings import ApiSettings

log = structlog.get_logger("api.ratelimit")
BACKOFF_SECONDS = 5.0
# What a broken or unreachable store raises: the library wraps the client's errors (wrap_exceptions=True); a
# socket that fails before the client knows it is an OSError.
STORAGE_ERRORS = (StorageError, OSError)
STRATEGIES: dict[str, type[FixedWindowRateLimiter | MovingWindowRateLimiter | SlidingWindowCounterRateLimiter]] = {
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "moving-window": MovingWindowRateLimiter,
}


def make_storage(settings: ApiSettings) -> Storage:
    if settings.redis_url is None:
        return MemoryStorage()
    timeout = settings.api_rate_limit_redis_timeout_seconds
    return RedisStorage(
        "async+" + settings.redis_url,
        implementation="redispy",
        key_prefix=settings.api_rate_limit_key_prefix,
        wrap_exceptions=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, settings: ApiSettings, sessions: sessionmaker[Session], jwt_key: str) -> None:
        self.app = app
        self.settings = settings
        self.tiers = Tiers.from_settings(settings)
        self.callers = CallerResolver(sessions, jwt_key)
        self._limiter: RateLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused_until = 0.0

    def limiter(self) -> RateLimiter:
        """Made in the loop that serves requests: an asyncio Redis client belongs to the loop it connected in
        (uvicorn has one per worker; a test client may start another)."""
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._loop is not loop:
            self._limiter = STRATEGIES[self.settings.api_rate_limit_strategy](make_storage(self.settings))
            self._loop = loop
        return self._limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS or time.monotonic() < self._paused_until:
            if scope["type"] == "http" and scope["path"] not in EXEMPT_PATHS:
                metrics.RATE_LIMIT_UNCHECKED.inc()
            await self.app(scope, receive, send)
            return
        caller = await self.callers.resolve(scope)
        try:
            decision = await self.decide(caller)
        except STORAGE_ERRORS as exc:
            self._pause(exc)
            metrics.RATE_LIMIT_UNCHECKED.inc()
            await self.app(scope, receive, send)
            return
        headers = decision.headers()
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(caller.tier.value).inc()
            retry = decision.retry_after(time.time())
            refusal = RateLimited(
                details={"tier": caller.tier.value, "limit": decision.limit, "retry_after_seconds": retry},
                headers=headers | {"Retry-After": str(retry)},
            )
            await error_response(refusal)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                for name, value in headers.items():
                    answer[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def decide(self, caller: Caller) -> Decision:
        item = self.tiers.limit_for(caller.tier)
        limiter = self.limiter()
        # The strategy is part of the key: each keeps its own Redis type under it, so switching strategies on a
        # live Redis starts fresh counts instead of failing with WRONGTYPE.
        ids = (self.settings.api_rate_limit_strategy, caller.tier.value, caller.key)
        allowed = await limiter.hit(item, *ids)
        stats = await limiter.get_window_stats(item, *ids)
        return Decision(allowed, item.amount, stats.remaining, stats.reset_time)

    def _pause(self, exc: BaseException) -> None:
        self._paused_until = time.monotonic() + BACKOFF_SECONDS
        log.warning(
            "rate_limit_storage_unavailable",
            error_type=type(exc).__name__,
            action="requests served unchecked (fail-open)",
            retry_in_s=BACKOFF_SECONDS,
        )
