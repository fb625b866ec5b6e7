"""Fixtures for the content store: a local store, a fake kubo RPC API serving a local store, real in-process kubo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ipfs.kubo_store import KuboStore
from ipfs.local_store import LocalStore
from tests.ipfs.fake_kubo import FakeKubo
from tests.ipfs.inprocess_kubo import InProcessKubo


@pytest.fixture
def local_store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "ipfs")


@pytest.fixture
def fake_kubo(tmp_path: Path) -> Iterator[FakeKubo]:
    with FakeKubo(tmp_path / "fake-kubo") as fake:
        yield fake


@pytest.fixture
def kubo_store(fake_kubo: FakeKubo) -> Iterator[KuboStore]:
    with KuboStore(fake_kubo.url, timeout=10) as store:
        yield store


@pytest.fixture(scope="session")
def kubo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKubo]:
    with InProcessKubo(tmp_path_factory.mktemp("kubo-repo")) as node:
        yield node
