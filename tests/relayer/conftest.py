"""Fixtures of the relayer tests: one private chain and relayer stack per module (tests use distinct investments,
so they share it without disturbing each other)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.chain.compiler import Build
from tests.indexer.mirror_support import PrivateChain, start_private_chain
from tests.relayer.support import Stack, relayer_stack, setup_projects


@pytest.fixture(scope="session")
def server_url(database_url: str) -> str:
    """The session's PostgreSQL server (each relayer stack makes a database of its own there)."""
    return database_url


@pytest.fixture(scope="module")
def private_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        setup_projects(chain)
        yield chain
    finally:
        chain.anvil.stop()


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url) as s:
        yield s
