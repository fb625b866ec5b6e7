"""A kubo node (or a pinning service speaking kubo's RPC API) as the content store, over HTTP with httpx.

Why not ipfshttpclient: its last release is from 2021 and its `connect()` refuses every kubo >= 0.8, i.e. every
node anyone runs today. The RPC API is plain HTTP POSTs, so a thin httpx client is less code than working
around it.

Endpoints: `add` (cid-version=1, raw-leaves=true, 256 KiB chunks), `block/get` and `block/stat` for reading,
`pin/add`, `version`. Reads go block by block rather than through `cat`: each block is checked against the CID
that names it before a byte reaches the caller, for any DAG layout, which `cat`'s flat byte stream cannot give.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
from multiformats import CID

from ipfs.blocks import BlockId
from ipfs.cid import canonical, parse_cid
from ipfs.errors import ContentNotFound, IntegrityError, InvalidCid, IpfsError, StoreUnavailable
from ipfs.importer import CHUNK_SIZE, KUBO_CIDV1, DagBuilder
from ipfs.sources import Source, check_known_size, iter_pieces, limited
from ipfs.store import DEFAULT_MAX_UPLOAD_BYTES, ContentStore

# No block kubo writes or serves is larger than this (bitswap's limit is 2 MiB); a bigger answer is refused
# before it is read into memory.
MAX_BLOCK_BYTES = 4 * 1024 * 1024

ADD_PARAMS = {
    "cid-version": "1",
    "raw-leaves": "true",
    # Explicit, so a node whose Import.* config says otherwise still builds the DAG compute_cid predicts.
    "chunker": f"size-{CHUNK_SIZE}",
    "hash": "sha2-256",
    "pin": "false",  # pinning is its own step (pin()), as in the local store
}

_NOT_FOUND_MARKERS = ("not found", "could not find", "deadline exceeded")


class KuboStore(ContentStore):
    def __init__(
        self,
        api_url: str,
        *,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`timeout` bounds each request; for reads it is also passed to kubo, so a CID nobody provides ends as
        ContentNotFound instead of a search without end."""
        base = api_url.rstrip("/")
        # Pinning services take credentials in the URL (https://id:secret@host:5001); httpx sends them as basic
        # auth, and every message and `api_url` show the URL without them.
        self.api_url = str(httpx.URL(base).copy_with(userinfo=b"")).rstrip("/")
        self.max_upload_bytes = max_upload_bytes
        self._timeout = timeout
        self._client = httpx.Client(
            base_url=f"{base}/api/v0",
            timeout=httpx.Timeout(timeout + 5.0, connect=5.0),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def describe(self) -> str:
        answer = self._json(self._post("/version"))
        return f"kubo {answer.get('Version', '?')} at {self.api_url}"

    # ----- writing -------------------------------------------------------------------------------

    def add(self, source: Source) -> str:
        check_known_size(source, self.max_upload_bytes)
        # The CID is computed here too, from the very bytes sent, and the node's answer must match it: a node
        # that stored something else, or built another DAG, is caught at add time rather than at read time.
        builder = DagBuilder(KUBO_CIDV1)
        boundary = secrets.token_hex(16)

        def body() -> Iterator[bytes]:
            yield (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="file"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            for piece in limited(iter_pieces(source), self.max_upload_bytes):
                builder.write(piece)
                yield piece
            yield f"\r\n--{boundary}--\r\n".encode()

        response = self._post(
            "/add",
            params=ADD_PARAMS,
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        returned = self._added_cid(response.text)
        expected = builder.finish()
        if not _same_cid(returned, expected):
            raise IntegrityError(
                f"node at {self.api_url} answered {returned} for content whose CID is {expected}",
                cid=str(expected),
                returned=returned,
            )
        return str(expected)

    def pin(self, cid: str | CID) -> None:
        parsed = parse_cid(cid)
        self._post("/pin/add", params={"arg": str(parsed), "timeout": self._kubo_timeout()})

    # ----- reading -------------------------------------------------------------------------------

    def has(self, cid: str | CID) -> bool:
        parsed = parse_cid(cid)
        try:
            self._post("/block/stat", params={"arg": str(parsed), "offline": "true"})
        except ContentNotFound:
            return False
        return True

    def _fetch_block(self, block: BlockId) -> bytes:
        cid = str(block)
        params = {"arg": cid, "timeout": self._kubo_timeout()}
        try:
            with self._client.stream("POST", "/block/get", params=params) as response:
                if response.status_code != 200:
                    response.read()
                    raise self._error(response)
                data = bytearray()
                for piece in response.iter_bytes():
                    data += piece
                    if len(data) > MAX_BLOCK_BYTES:
                        raise IntegrityError(
                            f"node sent more than {MAX_BLOCK_BYTES} bytes for block {cid}", cid=str(cid)
                        )
                return bytes(data)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None

    # ----- HTTP ----------------------------------------------------------------------------------

    def _kubo_timeout(self) -> str:
        return f"{max(1, int(self._timeout))}s"

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.post(path, **kwargs)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        if response.status_code != 200:
            raise self._error(response)
        return response

    def _unreachable(self, exc: httpx.TransportError) -> StoreUnavailable:
        return StoreUnavailable(
            f"IPFS node at {self.api_url} is unreachable: {exc or type(exc).__name__}", url=self.api_url
        )

    def _error(self, response: httpx.Response) -> IpfsError:
        """kubo answers errors as JSON {Message, Code, Type}; anything else means this is not a kubo RPC API."""
        try:
            message = str(response.json()["Message"])
        except (ValueError, KeyError, TypeError):
            return StoreUnavailable(
                f"{self.api_url} answered HTTP {response.status_code} to {response.request.url.path}; "
                "is IPFS_API_URL a kubo RPC API (usually port 5001)?",
                url=self.api_url,
                status=response.status_code,
            )
        if any(marker in message.lower() for marker in _NOT_FOUND_MARKERS):
            return ContentNotFound(f"not found on the IPFS node: {message}", url=self.api_url)
        return StoreUnavailable(f"IPFS node at {self.api_url} refused the request: {message}", url=self.api_url)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            raise StoreUnavailable(f"{self.api_url} answered something other than JSON", url=self.api_url) from None
        if not isinstance(answer, dict):
            raise StoreUnavailable(f"{self.api_url} answered unexpected JSON", url=self.api_url)
        return answer

    def _added_cid(self, text: str) -> str:
        """`add` answers one JSON object per line (per file, progress if asked); the last with a Hash is ours."""
        for line in reversed(text.splitlines()):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("Hash"):
                return str(entry["Hash"])
            if isinstance(entry, dict) and entry.get("Type") == "error":  # an error after the 200 header
                raise StoreUnavailable(f"IPFS node at {self.api_url} failed the add: {entry.get('Message')}")
        raise StoreUnavailable(f"{self.api_url} answered add without a CID", url=self.api_url)


def _same_cid(answered: str, expected: CID) -> bool:
    try:
        return canonical(answered) == canonical(expected)
    except InvalidCid:
        return False
