"""Rate limits of the seed's tiers (public per client IP, authenticated and premium per user) with the `limits`
library, on Redis when REDIS_URL is set and in memory otherwise, applied to every route by one ASGI middleware."""
