"""Run the same operator logic from ape scripts: the Web3 of ape's connected provider, keys from settings."""

from __future__ import annotations

from core.settings import load_settings
from terra.context import ChainContext
from terra.ops.settings import OperatorSettings


def ape_chain_context() -> ChainContext:
    from ape import chain  # only ape scripts call this; the services never import ape

    return ChainContext(load_settings(OperatorSettings), chain.provider.web3)
