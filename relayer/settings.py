"""The relayer process's settings: the only ones holding the minter key or the mnemonic it is derived from."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from core.redact import register_secret
from core.stripe.settings import StripeSettings


class RelayerSettings(StripeSettings):
    # --- webhook server and worker ----------------------------------------------------------------
    relayer_host: str = Field(default="127.0.0.1", description="Address the relayer's webhook server binds to.")
    relayer_port: int = Field(
        default=8701, ge=0, le=65535, description="Port of POST /webhooks/stripe, /health and /metrics (0: any free)."
    )
    relayer_poll_interval: float = Field(
        default=1.0, gt=0, description="Seconds between worker passes (a stored webhook starts one at once)."
    )
    relayer_mint_batch_size: int = Field(
        default=50, ge=1, le=500, description="Most mint intents combined into one mintInvestmentBatch."
    )
    relayer_claim_batch_size: int = Field(
        default=100, ge=1, le=500, description="Most custodial claims of a distribution combined into one claimBatch."
    )
    relayer_accepted_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated stablecoin addresses accepted besides the deployment's own test stablecoin.",
    )
    relayer_reconcile_interval: float = Field(default=300.0, gt=0, description="Seconds between scheduled reconciles.")
    relayer_reconcile_grace: float = Field(
        default=600.0, ge=0, description="Seconds a paid investment may wait for its mint before reconcile lists it."
    )

    # --- keys ---------------------------------------------------------------------------------------
    relayer_private_key: SecretStr | None = Field(
        default=None, description="The minter key (hex); local chains fall back to anvil's account 1."
    )
    relayer_mnemonic: SecretStr | None = Field(
        default=None,
        description="Seed of the minter key (account 0) and of card payers' custodial addresses; instead of the key.",
    )

    # --- transaction manager (relayer/tx) -------------------------------------------------------
    relayer_tx_max_fee_gwei: Decimal = Field(
        default=Decimal(500), gt=0, description="Cap on maxFeePerGas (gwei); fee bumps never go above it."
    )
    relayer_tx_priority_fee_gwei: Decimal = Field(
        default=Decimal(30), ge=0, description="Priority fee (tip) of a first attempt (gwei); Polygon wants >= 25."
    )
    relayer_tx_replace_after: float = Field(
        default=60.0, gt=0, description="Seconds without a receipt before a transaction is replaced with fees +12.5%."
    )
    relayer_tx_confirmations: int = Field(
        default=1, ge=1, description="Blocks (its own included) before a receipt counts as mined."
    )
    relayer_tx_finality_depth: int = Field(
        default=256, ge=1, description="Blocks behind head taken as final when the RPC has no `finalized` tag."
    )
    relayer_tx_stuck_after: float = Field(
        default=900.0, gt=0, description="Seconds a transaction may stay unmined before reconcile lists it as stuck."
    )
    relayer_tx_gas_margin_percent: int = Field(
        default=20, ge=0, description="Percent added to a gas estimate for the gas limit."
    )

    @field_validator("relayer_accepted_tokens", mode="before")
    @classmethod
    def _split_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return [t.strip().lower() for t in value.split(",") if t.strip()]
        return value

    @property
    def webhook_signing_secret(self) -> str:
        return self.webhook_secret()

    def model_post_init(self, context: object, /) -> None:
        super().model_post_init(context)
        for secret in (self.relayer_private_key, self.relayer_mnemonic):
            if secret is not None:
                register_secret(secret.get_secret_value())
