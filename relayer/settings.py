"""The relayer process's settings: the only ones holding the minter key or the mnemonic it is derived from."""

from __future__ import annotations

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

    def model_post_init(self, context: object, /) -> None:
        super().model_post_init(context)
        for secret in (self.relayer_private_key, self.relayer_mnemonic):
            if secret is not None:
                register_secret(secret.get_secret_value())
