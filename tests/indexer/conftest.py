"""Fixtures of the indexer tests. RPC-layer fixtures are prefixed rpc_/proxy_; append, don't overwrite."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER
from core.chain.deployments import Deployment
from indexer.settings import IndexerSettings
from terra.local.anvil import Anvil
from tests.indexer.fault_proxy import FaultProxy, ProxyConfig
from tests.indexer.mirror_support import PrivateChain, indexer_settings

# ----- RPC layer (indexer/rpc) ------------------------------------------------------------------


@pytest.fixture
def proxy_factory(anvil: Anvil) -> Iterator[Callable[..., FaultProxy]]:
    """Start fault proxies in front of the session anvil: `proxy_factory(seed=1, config=ProxyConfig(...))`.
    Every proxy started is stopped after the test."""
    started: list[FaultProxy] = []

    def make(seed: int = 0, config: ProxyConfig | None = None) -> FaultProxy:
        proxy = FaultProxy(anvil.url, seed=seed, config=config).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


@pytest.fixture
def rpc_addresses(deployment: Deployment) -> list[str]:
    """The addresses the indexer follows, lowercase."""
    return [deployment.address(OWNERSHIP).lower(), deployment.address(PAYMENT_ROUTER).lower()]


# ----- private chains (modules that define a `private_chain` fixture) ---------------------------


@pytest.fixture
def settings(private_chain: PrivateChain, database_url: str) -> IndexerSettings:
    """The indexer's settings for the module's own anvil and the session database."""
    return indexer_settings(database_url, private_chain.url, private_chain.deployments_dir)
