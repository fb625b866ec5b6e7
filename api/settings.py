"""The API process's settings: where it listens, how it signs tokens, its security limits and readiness rule, and
what a Sign-In with Ethereum message must name (domain, URI, chain id) and which RPC checks contract wallets.

It holds no chain key. Its secrets are the JWT signing key (API_JWT_SECRET or a key file) and the KYC provider's
tokens, never logged: each is registered with core.redact as soon as it is read.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import NoDecode

from core.redact import register_secret, register_secret_url
from core.settings import ContentStoreSettings, InvalidSettings, check_rpc_url
from core.stripe.settings import StripeSettings

# Signs tokens only when API_ENVIRONMENT=local (terra dev) and no key is configured; named so that nobody mistakes
# it for a real key in a log or a config file.
LOCAL_DEV_JWT_SECRET = "terra-lumina-LOCAL-DEV-ONLY-jwt-secret-never-use-in-production"
MIN_JWT_SECRET_LENGTH = 32
ONFIDO_API_BASE = "https://api.onfido.com"
# The local FAKE KYC provider (terra/local/fake_kyc): its address and public tokens, refused with a real token.
LOCAL_FAKE_KYC_BASE = "http://127.0.0.1:12112"
LOCAL_FAKE_KYC_API_TOKEN = "terra-local-FAKE-kyc-api-token-not-a-secret"
LOCAL_FAKE_KYC_WEBHOOK_TOKEN = "terra-local-FAKE-kyc-webhook-token-not-a-secret"


class ApiSettings(ContentStoreSettings, StripeSettings):
    api_host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    api_port: int = Field(default=8000, description="Port the API listens on.")
    api_workers: int = Field(default=1, ge=1, description="Worker processes `terra api` starts (--workers wins).")
    redis_url: str | None = Field(
        default=None, description="Redis for rate limits (redis://host:port/db); unset keeps them in each process."
    )
    api_environment: Literal["local", "production"] = Field(
        default="production",
        description="local (terra dev) allows the built-in development JWT key; production requires a real one.",
    )

    # --- tokens ----------------------------------------------------------------------------------
    api_jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 key signing access tokens (at least 32 characters). Never logged."
    )
    api_jwt_secret_file: Path | None = Field(
        default=None, description="File holding the JWT key instead of API_JWT_SECRET (a mounted secret)."
    )
    api_access_token_seconds: int = Field(default=3600, ge=60, description="Lifetime of an access token.")
    api_refresh_token_days: int = Field(default=30, ge=1, description="Lifetime of a refresh token.")

    # --- passwords and lockout -------------------------------------------------------------------
    api_lockout_threshold: int = Field(default=5, ge=1, description="Failed logins in a row that lock an account.")
    api_lockout_seconds: int = Field(default=900, ge=1, description="How long a locked account stays locked.")
    api_hibp_enabled: bool = Field(
        default=False,
        description="Check new passwords against HaveIBeenPwned (k-anonymity: only 5 hex digits of the SHA-1 leave).",
    )
    api_hibp_url: str = Field(
        default="https://api.pwnedpasswords.com/range/", description="HaveIBeenPwned range API base."
    )
    api_hibp_timeout_seconds: float = Field(
        default=3.0, gt=0, description="Timeout of a HaveIBeenPwned call; on failure the bundled list still applies."
    )

    # --- HTTP ------------------------------------------------------------------------------------
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed by CORS (with credentials)."
    )
    api_hsts: bool = Field(
        default=False, description="Send HSTS on every answer (it is always sent on requests that came over TLS)."
    )
    api_forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-Proto/For uvicorn trusts (TLS terminated there)."
    )
    api_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="Largest request body accepted.")
    api_ready_max_index_age_seconds: float | None = Field(
        default=300.0,
        description="/ready fails when the indexer's checkpoint is older than this; empty skips the check.",
    )
    api_realtime_enabled: bool = Field(
        default=True, description="LISTEN for index and investment notifications and push them to /ws/portfolio."
    )
    api_realtime_retry_seconds: float = Field(
        default=1.0, gt=0, description="Wait before reconnecting a lost LISTEN connection (doubles up to 30 s)."
    )
    api_realtime_keepalive_seconds: float = Field(
        default=30.0, gt=0, description="Idle time after which the LISTEN connection is probed (finds a dead link)."
    )

    # --- Sign-In with Ethereum ------------------------------------------------------------------
    api_siwe_domain: str = Field(
        default="127.0.0.1:8000",
        description="The domain (host[:port], RFC 3986 authority) a SIWE message must name: the web app's.",
    )
    api_siwe_uri: str = Field(
        default="http://127.0.0.1:8000",
        description="The URI a SIWE message must name: this origin, or a path below this URI.",
    )
    api_siwe_chain_id: int = Field(default=31337, ge=1, description="The chain id a SIWE message must name.")
    api_siwe_nonce_seconds: int = Field(default=600, ge=30, description="How long a SIWE nonce stays usable.")
    api_siwe_rpc_url: str | None = Field(
        default=None,
        description="RPC checking contract wallets' signatures (EIP-1271); unset: the first of RPC_URLS, or RPC_URL.",
    )

    # --- KYC provider (Onfido-style) -------------------------------------------------------------
    kyc_api_base: str | None = Field(
        default=None,
        description=f"KYC provider API base ({ONFIDO_API_BASE} with a token, else the fake's {LOCAL_FAKE_KYC_BASE}).",
    )
    kyc_api_token: SecretStr | None = Field(default=None, description="KYC provider API token. Never logged.")
    kyc_webhook_token: SecretStr | None = Field(
        default=None, description="Signs the provider's webhooks (HMAC-SHA256); required with KYC_API_TOKEN."
    )
    kyc_fake: bool = Field(
        default=False,
        description="Use the local FAKE KYC provider (terra dev); refused with KYC_API_TOKEN. Neither: KYC gives 503.",
    )
    kyc_fake_approve_seconds: float = Field(
        default=2.0, ge=0, description="How long the local FAKE KYC provider takes to complete a check."
    )
    kyc_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one call to the KYC provider.")
    # --- investments ------------------------------------------------------------------------------
    api_reservation_minutes: int = Field(
        default=30, ge=1, description="Minutes an unpaid investment holds its share of the project's capacity."
    )
    api_stripe_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one Stripe API request (the project's lock waits for it)."
    )
    api_stablecoin_decimals: int = Field(
        default=6, ge=2, le=36, description="Decimals of the deployment's stablecoin (USDC and the test coin: 6)."
    )
    api_regcf_floor_cents: int = Field(
        default=250_000, ge=0, description="Reg CF: the 12-month limit's floor in cents ($2,500)."
    )
    api_regcf_threshold_cents: int = Field(
        default=12_400_000, ge=0, description="Reg CF: income/net worth below which the low percentage applies."
    )
    api_regcf_low_percent: Decimal = Field(
        default=Decimal(5), ge=0, le=100, description="Reg CF: percent of the greater of income or net worth (low)."
    )
    api_regcf_high_percent: Decimal = Field(
        default=Decimal(10), ge=0, le=100, description="Reg CF: percent when both are at or above the threshold."
    )
    api_regcf_max_cents: int = Field(
        default=12_400_000, ge=0, description="Reg CF: the most anyone non-accredited may invest in 12 months."
    )
    api_regcf_window_days: int = Field(
        default=365, ge=1, description="Reg CF: the window whose investments count towards the limit (12 months)."
    )

    # --- database pool (per worker) ------------------------------------------------------------
    api_db_pool_size: int = Field(
        default=20,
        ge=1,
        description="Database connections each API worker keeps open (requests in flight beyond it open and close "
        "overflow connections, which is slow).",
    )
    api_db_max_overflow: int = Field(default=10, ge=0, description="Extra connections a worker may open at a peak.")

    # --- rate limits (the seed's tiers; `limits` strings such as 100/hour or 10/minute) -------------
    api_rate_limits_enabled: bool = Field(
        default=True, description="Rate limit every route but /health /ready /metrics."
    )
    api_rate_limit_public: str = Field(
        default="100/hour", description="Limit per client IP for callers without a token."
    )
    api_rate_limit_authenticated: str = Field(default="1000/hour", description="Limit per signed-in user.")
    api_rate_limit_premium: str = Field(
        default="10000/hour", description="Limit per user holding the ratelimit.premium permission (role premium)."
    )
    api_rate_limit_strategy: Literal["sliding-window-counter", "fixed-window", "moving-window"] = Field(
        default="sliding-window-counter", description="How the `limits` library counts a window."
    )
    api_rate_limit_key_prefix: str = Field(
        default="terra-ratelimit", min_length=1, description="Prefix of the rate-limit keys in Redis."
    )
    api_rate_limit_redis_timeout_seconds: float = Field(
        default=0.25, gt=0, description="Redis connect/read timeout; past it the request is let through (fail-open)."
    )

    @field_validator("api_rate_limit_public", "api_rate_limit_authenticated", "api_rate_limit_premium")
    @classmethod
    def _limit_string(cls, value: str, info: ValidationInfo) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{str(info.field_name).upper()}: not a rate limit such as 100/hour") from None
        return value

    # --- cached project reads ---------------------------------------------------------------------
    api_cache_ttl_seconds: int = Field(
        default=300,
        ge=0,
        description="Lifetime of cached project list/detail answers (in Redis when REDIS_URL is set, in process "
        "memory otherwise); 0 turns the cache off. A new indexed block or catalogue edit changes the key anyway.",
    )
    api_cache_stamp_seconds: float = Field(
        default=0.0,
        ge=0,
        description="How long a worker reuses what cached answers are keyed by (catalogue version, indexer "
        "checkpoint) before reading it again: 0 reads it on every request, so changes show at once; 0.5 takes the "
        "database off most cached reads, answers then lag changes by up to that much.",
    )
    api_cache_prefix: str = Field(
        default="terra:cache:", description="Prefix of the API's cache keys in Redis (replicas sharing one share it)."
    )

    # --- email notifications (SMTP) ---------------------------------------------------------------
    smtp_host: str | None = Field(
        default=None, description="SMTP relay for notification emails; unset turns the notification job off."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port (587 submission with STARTTLS).")
    smtp_user: str | None = Field(default=None, description="SMTP login; unset sends without AUTH.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password. Never logged.")
    smtp_from: str = Field(
        default="Terra Lumina <notifications@terralumina.org>", description="From address of notification emails."
    )
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS before AUTH.")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one SMTP connection or command.")
    notify_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often each API process looks for what to tell and sends what is due."
    )
    notify_max_attempts: int = Field(
        default=8, ge=1, description="Sending attempts of one email before it is given up (the error recorded)."
    )
    notify_retry_seconds: float = Field(
        default=30.0, gt=0, description="Wait after a first failed attempt; doubled after each further one."
    )

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("api_siwe_rpc_url")
    @classmethod
    def _check_siwe_rpc_url(cls, value: str | None) -> str | None:
        return None if value is None else check_rpc_url(value, "API_SIWE_RPC_URL")

    @field_validator(
        "api_ready_max_index_age_seconds", "kyc_api_base", "kyc_api_token", "kyc_webhook_token", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _kyc_never_fake_with_a_real_token(self) -> ApiSettings:
        if self.kyc_api_token is None:
            return self
        if self.kyc_fake:
            raise ValueError("KYC_FAKE: refused while KYC_API_TOKEN is set (the fake never sees real credentials)")
        webhook = self.kyc_webhook_token
        if webhook is None or webhook.get_secret_value() == LOCAL_FAKE_KYC_WEBHOOK_TOKEN:
            raise ValueError("KYC_WEBHOOK_TOKEN: a token of the provider's own is required with KYC_API_TOKEN")
        return self

    def model_post_init(self, context: object, /) -> None:
        super().model_post_init(context)
        for secret in (self.api_jwt_secret, self.kyc_api_token, self.kyc_webhook_token):
            if secret is not None:
                register_secret(secret.get_secret_value())
        if self.api_siwe_rpc_url is not None:
            register_secret_url(self.api_siwe_rpc_url)  # a provider URL may carry an API key
        if self.smtp_password is not None:
            register_secret(self.smtp_password.get_secret_value())

    @property
    def siwe_rpc_url(self) -> str:
        return self.api_siwe_rpc_url or self.service_rpc_urls[0]

    @property
    def kyc_mode(self) -> Literal["provider", "fake", "off"]:
        if self.kyc_api_token is not None:
            return "provider"
        return "fake" if self.kyc_fake else "off"

    @property
    def kyc_base_url(self) -> str:
        default = ONFIDO_API_BASE if self.kyc_api_token is not None else LOCAL_FAKE_KYC_BASE
        return (self.kyc_api_base or default).rstrip("/")

    def kyc_tokens(self) -> tuple[str, str]:
        """(API token, webhook token): the provider's, or the local FAKE's public values in fake mode."""
        if self.kyc_api_token is not None and self.kyc_webhook_token is not None:
            return self.kyc_api_token.get_secret_value(), self.kyc_webhook_token.get_secret_value()
        webhook = self.kyc_webhook_token.get_secret_value() if self.kyc_webhook_token else LOCAL_FAKE_KYC_WEBHOOK_TOKEN
        return LOCAL_FAKE_KYC_API_TOKEN, webhook

    def jwt_key(self) -> SecretStr:
        """The signing key: API_JWT_SECRET, else the key file, else (local only) the named development key."""
        if self.api_jwt_secret is not None:
            key = self.api_jwt_secret.get_secret_value()
            source = "API_JWT_SECRET"
        elif self.api_jwt_secret_file is not None:
            try:
                key = self.api_jwt_secret_file.read_text().strip()
            except OSError as exc:
                raise InvalidSettings(f"API_JWT_SECRET_FILE: cannot read it ({exc.strerror or exc})") from None
            register_secret(key)
            source = "API_JWT_SECRET_FILE"
        elif self.api_environment == "local":
            return SecretStr(LOCAL_DEV_JWT_SECRET)
        else:
            raise InvalidSettings("API_JWT_SECRET: required outside API_ENVIRONMENT=local (or set API_JWT_SECRET_FILE)")
        if len(key) < MIN_JWT_SECRET_LENGTH:
            raise InvalidSettings(f"{source}: at least {MIN_JWT_SECRET_LENGTH} characters are required")
        return SecretStr(key)
