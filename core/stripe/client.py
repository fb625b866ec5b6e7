"""The one way the project builds a Stripe SDK client: the real `stripe.StripeClient`, aimed at api.stripe.com with
the secret key, or at the local fake (its `api` base address) in local mode, so both run the same code path."""

from __future__ import annotations

import stripe

from core.stripe.settings import StripeSettings

# The SDK retries connection errors and 409/5xx itself (with idempotency keys on POST); two, as its default.
MAX_NETWORK_RETRIES = 2


def stripe_client(
    settings: StripeSettings, *, max_network_retries: int = MAX_NETWORK_RETRIES, timeout: float | None = None
) -> stripe.StripeClient:
    """A client for real Stripe when STRIPE_SECRET_KEY is set, for the local fake otherwise. Settings refuse a
    fake address beside a real key, so real credentials are only ever sent to api.stripe.com. `timeout`: seconds
    per HTTP request (the SDK's own 80 s when None)."""
    http_client = stripe.new_default_http_client(timeout=timeout) if timeout is not None else None
    if settings.uses_fake_stripe:
        return stripe.StripeClient(
            settings.stripe_api_key,
            base_addresses={"api": settings.stripe_base_url},
            max_network_retries=max_network_retries,
            http_client=http_client,
        )
    return stripe.StripeClient(
        settings.stripe_api_key, max_network_retries=max_network_retries, http_client=http_client
    )
