"""`open_store`: the content store the settings configure, kubo's RPC API or the local block store. Apart from the
interface (ipfs/store.py), so that the two backends import the interface and nothing imports back."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ipfs.kubo_store import KuboStore
from ipfs.local_store import LocalStore
from ipfs.store import ContentStore


class StoreSettings(Protocol):
    """The part of core.settings.ContentStoreSettings the content store reads."""

    @property
    def data_dir(self) -> Path: ...

    ipfs_api_url: str | None
    ipfs_max_upload_bytes: int


def open_store(settings: StoreSettings) -> ContentStore:
    """kubo's RPC API when IPFS_API_URL is set, else the local block store under <data dir>/ipfs/."""
    if settings.ipfs_api_url:
        return KuboStore(settings.ipfs_api_url, max_upload_bytes=settings.ipfs_max_upload_bytes)
    return LocalStore(settings.data_dir / "ipfs", max_upload_bytes=settings.ipfs_max_upload_bytes)
