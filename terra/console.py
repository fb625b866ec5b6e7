"""Shared console output for the `terra` commands: rich on stdout, one-line errors on stderr, and nothing that
could carry a secret reaches either unscrubbed (core.redact)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from core.redact import redact

# soft_wrap: addresses and URLs must stay on one line, also when output goes to a pipe or a log file.
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)


def user_error_types() -> tuple[type[BaseException], ...]:
    """Failures a user can act on: shown as one line, never as a traceback. Imported here, on failure, so that
    `terra --help` loads no chain library."""
    from core.chain.errors import ChainError
    from core.settings import InvalidSettings

    return (ChainError, InvalidSettings, FileNotFoundError, PermissionError, ValueError)


def rpc_failure_types() -> tuple[type[BaseException], ...]:
    """What an RPC library raises when the endpoint misbehaves: requests' HTTP errors (web3), web3's own and
    the indexer's RPC client's. Their messages carry the URL or the server's echo of it, scrubbed on the way out."""
    types: list[type[BaseException]] = []
    if "requests" in sys.modules:
        import requests

        types.append(requests.RequestException)
    if "web3" in sys.modules:
        from web3.exceptions import Web3Exception

        types.append(Web3Exception)
    if "indexer.rpc.errors" in sys.modules:
        from indexer.rpc.errors import RpcError

        types.append(RpcError)
    return tuple(types)


def one_line(message: str) -> str:
    """Scrubbed, and on one line: several problems joined by "; "."""
    return "; ".join(" ".join(line.split()) for line in redact(message).splitlines() if line.strip())


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {one_line(message)}", soft_wrap=True, markup=True)
    return typer.Exit(code)


@contextmanager
def user_errors(*extra: type[BaseException]) -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except Exception as exc:
        if isinstance(exc, (*user_error_types(), *extra)):
            raise fail(str(exc) or type(exc).__name__) from None
        if isinstance(exc, rpc_failure_types()):
            raise fail(f"the RPC endpoint failed: {type(exc).__name__}: {exc}") from None
        raise


def report(message: str) -> None:
    console.print(redact(message, urls=False))
