"""The tiers and what an answer says about them, pure: which limit applies to a caller, the X-RateLimit-* headers
and Retry-After from a window's figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import limits
from limits import RateLimitItem

from api.settings import ApiSettings

# Liveness, readiness and scraping must work however busy a caller is (probes come from one address).
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class Tier(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    PREMIUM = "premium"


@dataclass(frozen=True)
class Caller:
    """Who a request counts against: `key` is the client IP for the public tier, the user id otherwise."""

    tier: Tier
    key: str


@dataclass(frozen=True)
class Tiers:
    public: RateLimitItem
    authenticated: RateLimitItem
    premium: RateLimitItem

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> Tiers:
        return cls(
            public=limits.parse(settings.api_rate_limit_public),
            authenticated=limits.parse(settings.api_rate_limit_authenticated),
            premium=limits.parse(settings.api_rate_limit_premium),
        )

    def limit_for(self, tier: Tier) -> RateLimitItem:
        return {Tier.PUBLIC: self.public, Tier.AUTHENTICATED: self.authenticated, Tier.PREMIUM: self.premium}[tier]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # Unix time at which the window next gives a request back

    def headers(self) -> dict[str, str]:
        """X-RateLimit-Reset is Unix seconds (as GitHub's API), rounded up so that waiting until then suffices."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }

    def retry_after(self, now: float) -> int:
        """Whole seconds to wait (at least 1: a refused caller that retries at once is refused again)."""
        return max(1, math.ceil(self.reset_at - now))
