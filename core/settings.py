"""What every process's settings share (data dir, database, RPC, logging), read from the environment and `.env`.

Each process has its own class beside its code (indexer/settings.py, relayer/settings.py, api/settings.py,
terra/ops/settings.py) and reads only its own secrets: the minter key only in the relayer's, the deployer key only
in the operator commands'. `.env.example` lists every variable under the process that reads it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.redact import register_secret_url, shown_value

LOCAL_CHAIN_IDS = frozenset({31337, 1337})
RPC_SCHEMES = frozenset({"http", "https", "ws", "wss"})


class InvalidSettings(ValueError):
    """One line per bad setting, naming the variable and never echoing a secret."""


def check_rpc_url(value: str, variable: str) -> str:
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = parts._replace(scheme="")
    if parts.scheme.lower() not in RPC_SCHEMES or not parts.hostname:
        raise ValueError(f"{variable}: {shown_value(value)} is not an http(s) or ws(s) URL")
    return value


class ServiceSettings(BaseSettings):
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

    # --- logs ------------------------------------------------------------------------------------
    log_level: str = Field(default="INFO", description="Log level of every service.")
    log_json: bool = Field(default=False, description="Log JSON lines instead of console output.")

    @field_validator("rpc_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [u.strip() for u in value.split(",") if u.strip()]
        return value

    @field_validator("rpc_url")
    @classmethod
    def _check_rpc_url(cls, value: str) -> str:
        return check_rpc_url(value, "RPC_URL")

    @field_validator("rpc_urls")
    @classmethod
    def _check_rpc_urls(cls, value: list[str]) -> list[str]:
        return [check_rpc_url(u, "RPC_URLS") for u in value]

    def model_post_init(self, context: Any, /) -> None:
        # Whatever prints or logs later scrubs these URLs' key-bearing parts, wherever an error message puts them.
        for url in [self.rpc_url, *self.rpc_urls]:
            register_secret_url(url)
        if self.database_url is not None:
            register_secret_url(self.database_url.get_secret_value(), password_only=True)

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


class ContentStoreSettings(ServiceSettings):
    """What the content store reads: the API, the operator commands (demo metadata) and `terra ipfs`."""

    ipfs_api_url: str | None = Field(
        default=None, description="kubo RPC API base (e.g. http://127.0.0.1:5001); unset uses the local store."
    )
    ipfs_max_upload_bytes: int = Field(default=200 * 1024 * 1024, description="Largest accepted upload.")


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S], *, names: dict[str, str] | None = None, **overrides: Any) -> S:
    """`cls` from the environment and `overrides`; a bad value raises InvalidSettings naming it (as `names` says
    for a value that came from a command-line option), in one line per value, without echoing the input."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        lines = dict.fromkeys(_error_line(e, names or {}) for e in exc.errors())  # one option may set two fields
        raise InvalidSettings("\n".join(lines)) from None


def _error_line(error: Any, names: dict[str, str]) -> str:
    field = str(error["loc"][0]) if error["loc"] else "settings"
    reason = error.get("ctx", {}).get("error")
    if isinstance(reason, ValueError) and ": " in str(reason):  # our validators name the variable themselves
        variable, _, message = str(reason).partition(": ")
        return f"{names.get(field, variable)}: {message}"
    return f"{names.get(field, field.upper())}: {error['msg']}"
