"""Options shared by several commands, and the settings loader of the service commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from core.settings import ServiceSettings

S = TypeVar("S", bound="ServiceSettings")

RpcUrl = Annotated[
    str | None, typer.Option("--rpc-url", help="JSON-RPC endpoint (default: RPC_URL from the environment).")
]
ChainId = Annotated[
    int | None, typer.Option("--chain-id", help="Expected chain id; anything else aborts before a write.")
]


def service_settings(cls: type[S], rpc_url: str | None) -> S:
    """A service's settings from the environment, logging configured; `--rpc-url` replaces RPC_URL and RPC_URLS for
    this command (and is named as the culprit when it is bad)."""
    from core.logging_setup import configure_logging
    from core.settings import load_settings
    from terra.console import user_errors

    with user_errors():
        if rpc_url is None:
            settings = load_settings(cls)
        else:
            names = {"rpc_url": "--rpc-url", "rpc_urls": "--rpc-url"}
            settings = load_settings(cls, names=names, rpc_url=rpc_url, rpc_urls=[rpc_url])
    configure_logging(settings.log_level, settings.log_json)
    return settings
