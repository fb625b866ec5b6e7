"""Shared console output for the `terra` commands: rich on stdout, one-line errors on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from core.chain.errors import ChainError

# soft_wrap: addresses and URLs must stay on one line, also when output goes to a pipe or a log file.
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)

# Failures a user can act on: shown as one line, never as a traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (ChainError, FileNotFoundError, PermissionError, ValueError)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def user_errors(*extra: type[BaseException]) -> Iterator[None]:
    try:
        yield
    except (*USER_ERRORS, *extra) as exc:
        raise fail(str(exc) or type(exc).__name__) from None


def report(message: str) -> None:
    console.print(message)
