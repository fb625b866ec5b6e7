"""Run the same operator logic from ape scripts: the Web3 of ape's connected provider, keys from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from core.chain.errors import ChainError
from core.settings import load_settings
from terra.context import ChainContext
from terra.ops.settings import OperatorSettings


def ape_chain_context() -> ChainContext:
    from ape import chain  # only ape scripts call this; the services never import ape

    return ChainContext(load_settings(OperatorSettings), chain.provider.web3)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A failure the user can act on (a named revert, a missing key or deployment) ends the script with one line,
    `Error: ProjectAlreadyExists(4)`, instead of a traceback."""
    try:
        yield
    except (ChainError, ValueError) as exc:
        raise click.ClickException(str(exc) or type(exc).__name__) from None
