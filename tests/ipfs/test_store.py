"""The content-store interface: `open_store` picks the backend from settings, and both keep the same contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import ContentStoreSettings, load_settings
from ipfs.cid import compute_cid
from ipfs.configured import open_store
from ipfs.errors import ContentNotFound
from ipfs.kubo_store import KuboStore
from ipfs.local_store import LocalStore
from ipfs.store import ContentStore
from tests.ipfs.fake_kubo import FakeKubo
from tests.ipfs.samples import CHUNK, random_bytes


def test_without_ipfs_api_url_the_store_is_local_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(
        ContentStoreSettings, terra_data_dir=tmp_path, ipfs_api_url=None, ipfs_max_upload_bytes=1234
    )

    with open_store(settings) as store:
        assert isinstance(store, LocalStore)
        assert store.root == tmp_path.resolve() / "ipfs"
        assert store.max_upload_bytes == 1234


def test_with_ipfs_api_url_the_store_is_kubo(tmp_path: Path) -> None:
    settings = load_settings(
        ContentStoreSettings, terra_data_dir=tmp_path, ipfs_api_url="http://127.0.0.1:5001/", ipfs_max_upload_bytes=99
    )

    with open_store(settings) as store:
        assert isinstance(store, KuboStore)
        assert store.api_url == "http://127.0.0.1:5001"
        assert store.max_upload_bytes == 99


def test_settings_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IPFS_MAX_UPLOAD_BYTES", "4096")
    monkeypatch.delenv("IPFS_API_URL", raising=False)

    with open_store(load_settings(ContentStoreSettings)) as store:
        assert isinstance(store, LocalStore)
        assert store.max_upload_bytes == 4096


@pytest.fixture(params=["local", "kubo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContentStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "ipfs")
        return
    with FakeKubo(tmp_path / "fake-kubo") as fake, KuboStore(fake.url, timeout=10) as kubo:
        yield kubo


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3])
def test_every_backend_returns_kubos_cid_and_the_same_bytes(store: ContentStore, size: int) -> None:
    data = random_bytes(size)

    cid = store.add(data)

    assert cid == compute_cid(data)
    assert store.get(cid) == data
    assert store.has(cid)
    store.pin(cid)


def test_every_backend_reports_unknown_content_the_same_way(store: ContentStore) -> None:
    unknown = compute_cid(b"content nobody added")

    assert not store.has(unknown)
    with pytest.raises(ContentNotFound):
        store.get(unknown)
