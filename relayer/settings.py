"""The relayer process's settings: the only ones holding the minter key or the mnemonic it is derived from."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, SecretStr

from core.redact import register_secret
from core.settings import ServiceSettings


class RelayerSettings(ServiceSettings):
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

    def model_post_init(self, context: object, /) -> None:
        super().model_post_init(context)
        for secret in (self.relayer_private_key, self.relayer_mnemonic):
            if secret is not None:
                register_secret(secret.get_secret_value())
