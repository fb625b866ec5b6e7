"""Every setting of every service, read from the environment (and `.env`); `.env.example` documents each one."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_CHAIN_IDS = frozenset({31337, 1337})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- storage ---------------------------------------------------------------------------------
    terra_data_dir: Path = Field(
        default=Path(".terra"),
        description="Holds the embedded database, local content store, compiled contracts and local deployments.",
    )
    database_url: SecretStr | None = Field(
        default=None, description="PostgreSQL URL; unset starts an embedded PostgreSQL under the data directory."
    )
    deployments_dir: Path | None = Field(
        default=None, description="Where deployments/<chain_id>.json live; defaults to <data dir>/deployments."
    )

    # --- chain -----------------------------------------------------------------------------------
    rpc_url: str = Field(default="http://127.0.0.1:8545", description="JSON-RPC endpoint for commands.")
    rpc_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated RPC endpoints for services, primary first (failover)."
    )
    chain_id: int | None = Field(default=None, description="Expected chain id; a mismatch aborts before any write.")
    deployer_private_key: SecretStr | None = Field(
        default=None, description="Key that deploys and administers contracts; local chains fall back to anvil's."
    )
    relayer_private_key: SecretStr | None = Field(
        default=None, description="The minter key; only the relayer process reads it."
    )
    relayer_address: str | None = Field(
        default=None, description="Address granted the minter role at deploy (the relayer key's address)."
    )
    treasury_address: str | None = Field(default=None, description="Receives PaymentRouter payments.")
    metadata_uri: str = Field(
        default="http://127.0.0.1:8000/api/v1/metadata/{id}",
        description="ERC-1155 uri(id) template set at deploy; keeps the {id} placeholder.",
    )

    # --- indexer ---------------------------------------------------------------------------------
    indexer_poll_interval: float = Field(default=1.0, description="Seconds between head polls.")
    indexer_finality_depth: int = Field(
        default=256, description="Blocks behind head taken as final when the RPC has no `finalized` tag."
    )
    indexer_max_block_range: int = Field(default=10_000, description="Largest eth_getLogs range tried in backfill.")

    # --- ipfs ------------------------------------------------------------------------------------
    ipfs_api_url: str | None = Field(
        default=None, description="kubo RPC API base (e.g. http://127.0.0.1:5001); unset uses the local store."
    )
    ipfs_max_upload_bytes: int = Field(default=200 * 1024 * 1024, description="Largest accepted upload.")

    # --- api / misc ------------------------------------------------------------------------------
    api_host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    api_port: int = Field(default=8000, description="Port the API listens on.")
    redis_url: str | None = Field(default=None, description="Redis for rate limits; unset keeps them in memory.")
    log_level: str = Field(default="INFO", description="Log level of every service.")
    log_json: bool = Field(default=False, description="Log JSON lines instead of console output.")

    @field_validator("rpc_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [u.strip() for u in value.split(",") if u.strip()]
        return value

    @cached_property
    def data_dir(self) -> Path:
        path = self.terra_data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def deployments_path(self) -> Path:
        return (self.deployments_dir or self.data_dir / "deployments").expanduser().resolve()

    @property
    def service_rpc_urls(self) -> list[str]:
        return self.rpc_urls or [self.rpc_url]


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
