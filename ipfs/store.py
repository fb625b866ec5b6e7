"""The content-store interface every caller uses (`ipfs.configured.open_store` picks the backend from settings).

Backends differ only in where blocks come from; reading and verification are shared here, so `get` returns
bytes that hash to the CID asked for, or raises — whichever backend is configured.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from types import TracebackType
from typing import Self

from multiformats import CID

from ipfs.blocks import BlockId, verify_block
from ipfs.cid import parse_cid
from ipfs.reader import read_file
from ipfs.sources import Source

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ContentStore(ABC):
    """add/get/stream/pin/has over CIDs; CIDs go in as strings (v0 or v1, any multibase) and come out as CIDv1."""

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES

    @abstractmethod
    def add(self, source: Source) -> str:
        """Store bytes, a binary file or an iterable of byte pieces; return the CID kubo would give them."""

    @abstractmethod
    def pin(self, cid: str | CID) -> None:
        """Keep the whole DAG under `cid` (ContentNotFound if the store cannot get all of it)."""

    @abstractmethod
    def has(self, cid: str | CID) -> bool:
        """Whether the content is here now, without fetching it from elsewhere."""

    @abstractmethod
    def describe(self) -> str:
        """One line naming the backend; for a remote node this is also a reachability check."""

    @abstractmethod
    def _fetch_block(self, block: BlockId) -> bytes:
        """One block's bytes as the backend has them, unverified; ContentNotFound when absent."""

    def stream(self, cid: str | CID) -> Iterator[bytes]:
        """The content in pieces of at most one block, each verified before it is yielded.

        A bad CID, missing content, an unreachable node or a corrupt root raise here, before iteration starts;
        a corrupt block further down raises when the iteration reaches it, before any of its bytes.
        """
        root = BlockId.of(parse_cid(cid))
        first = self._fetch_block(root)
        verify_block(root, first)
        prefetched = {root: first}

        def fetch(block: BlockId) -> bytes:
            data = prefetched.pop(block, None)
            return data if data is not None else self._fetch_block(block)

        return read_file(root, fetch)

    def get(self, cid: str | CID) -> bytes:
        """The whole content in memory; use `stream` for big files."""
        return b"".join(self.stream(cid))

    def close(self) -> None:  # noqa: B027 - a no-op unless the backend holds connections
        """Release connections; a store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
