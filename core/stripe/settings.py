"""Stripe settings shared by the processes that talk to Stripe (API: PaymentIntents; relayer: webhooks, re-fetch).

Without STRIPE_SECRET_KEY everything runs against the local fake (terra/local/fake_stripe) with a clearly-local
webhook secret; with a key set, the fake's address and the local secret are refused, so real credentials never
reach the fake and a real relayer never accepts webhooks signed with a public test value."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from core.redact import register_secret, shown_value
from core.settings import ServiceSettings

# Where the fake listens by default (stripe-mock's port, so nothing else of ours collides with it).
LOCAL_FAKE_API_BASE = "http://127.0.0.1:12111"
# Any sk_test_-looking key is accepted by the fake; this one says where it belongs.
LOCAL_FAKE_SECRET_KEY = "sk_test_terra_local_fake_stripe"
LOCAL_FAKE_PUBLISHABLE_KEY = "pk_test_terra_local_fake_stripe"
# Public on purpose: it signs only the fake's webhooks and `terra stripe simulate`; refused once a real key is set.
LOCAL_WEBHOOK_SECRET = "whsec_terra_local_fake_stripe_not_a_secret"
LOCAL_WEBHOOK_URL = "http://127.0.0.1:8701/webhooks/stripe"
REAL_API_BASE = "https://api.stripe.com"


class StripeNotConfigured(ValueError):
    """A Stripe setting the configured mode needs is missing or contradicts another."""


class StripeSettings(ServiceSettings):
    """Mixed into the settings of each process that talks to Stripe (the API's and the relayer's)."""

    stripe_secret_key: SecretStr | None = Field(
        default=None, description="Stripe secret key (sk_live_/sk_test_/rk_); unset runs against the local fake Stripe."
    )
    stripe_publishable_key: str | None = Field(
        default=None, description="Stripe publishable key handed to the web app; unset uses the fake's pk_test_ key."
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Webhook signing secret (whsec_...); required with a secret key, else the fake's local value.",
    )
    stripe_api_base: str | None = Field(
        default=None,
        description=f"Address of the local fake Stripe ({LOCAL_FAKE_API_BASE} when unset); refused with a secret key.",
    )
    stripe_fake_webhook_url: str = Field(
        default=LOCAL_WEBHOOK_URL, description="Where the local fake Stripe delivers its webhooks (the relayer's)."
    )

    @field_validator("stripe_secret_key", "stripe_webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("stripe_api_base", "stripe_fake_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{str(info.field_name).upper()}: {shown_value(value)} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _never_the_fake_with_real_credentials(self) -> StripeSettings:
        if self.stripe_secret_key is None:
            return self
        if self.stripe_api_base is not None:
            raise ValueError(
                "STRIPE_API_BASE: refused while STRIPE_SECRET_KEY is set (the local fake never sees real credentials)"
            )
        secret = self.stripe_webhook_secret
        if secret is not None and secret.get_secret_value() == LOCAL_WEBHOOK_SECRET:
            raise ValueError("STRIPE_WEBHOOK_SECRET: the local fake's public value is refused with STRIPE_SECRET_KEY")
        return self

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        for secret in (self.stripe_secret_key, self.stripe_webhook_secret):
            if secret is not None:
                register_secret(secret.get_secret_value())

    @property
    def uses_fake_stripe(self) -> bool:
        return self.stripe_secret_key is None

    @property
    def stripe_api_key(self) -> str:
        """The key the SDK sends: the real one, or the fake's own test-mode key."""
        if self.stripe_secret_key is None:
            return LOCAL_FAKE_SECRET_KEY
        return self.stripe_secret_key.get_secret_value()

    @property
    def stripe_base_url(self) -> str:
        if self.stripe_secret_key is None:
            return (self.stripe_api_base or LOCAL_FAKE_API_BASE).rstrip("/")
        return REAL_API_BASE

    @property
    def stripe_publishable(self) -> str:
        if self.stripe_publishable_key is not None:
            return self.stripe_publishable_key
        if self.stripe_secret_key is None:
            return LOCAL_FAKE_PUBLISHABLE_KEY
        raise StripeNotConfigured("STRIPE_PUBLISHABLE_KEY is not set (needed with STRIPE_SECRET_KEY)")

    def webhook_secret(self) -> str:
        """The secret webhooks are signed with: STRIPE_WEBHOOK_SECRET, or the fake's local value in local mode."""
        if self.stripe_webhook_secret is not None:
            return self.stripe_webhook_secret.get_secret_value()
        if self.stripe_secret_key is None:
            return LOCAL_WEBHOOK_SECRET
        raise StripeNotConfigured("STRIPE_WEBHOOK_SECRET is not set (needed with STRIPE_SECRET_KEY)")
