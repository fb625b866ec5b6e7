"""Settings of the operator commands (deploy, roles, demo data, ape scripts): the only ones holding the deployer key.
The minter's address is configured here; its key stays in the relayer's settings."""

from __future__ import annotations

from pydantic import Field, SecretStr

from core.redact import register_secret
from core.settings import ContentStoreSettings


class OperatorSettings(ContentStoreSettings):
    deployer_private_key: SecretStr | None = Field(
        default=None, description="Key that deploys and administers contracts; local chains fall back to anvil's."
    )
    relayer_address: str | None = Field(
        default=None,
        description=(
            "Address granted the minter, compliance and project-admin roles at deploy (the relayer key's); "
            "local chains: anvil's account 1."
        ),
    )
    treasury_address: str | None = Field(default=None, description="Receives PaymentRouter payments.")
    metadata_uri: str = Field(
        default="http://127.0.0.1:8000/api/v1/metadata/{id}",
        description="ERC-1155 uri(id) template set at deploy; keeps the {id} placeholder.",
    )

    def model_post_init(self, context: object, /) -> None:
        super().model_post_init(context)
        if self.deployer_private_key is not None:
            register_secret(self.deployer_private_key.get_secret_value())
