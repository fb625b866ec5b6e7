"""A FAKE of kubo's RPC API on 127.0.0.1, for testing KuboStore: no kubo with an HTTP API installs here.

It answers the endpoints KuboStore calls (plus `cat`) the way kubo does — POST only, JSON errors
`{Message, Code, Type}` with HTTP 500, NDJSON from `add` — backed by a LocalStore. Faults are switched on per
test: corrupt blocks, a wrong CID from `add`, an HTML page instead of the API.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ipfs.cid import canonical
from ipfs.errors import ContentNotFound, IpfsError
from ipfs.local_store import LocalStore


def unused_loopback_port() -> int:
    """A port nothing listens on: where an unreachable node "is"."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeKubo:
    def __init__(self, root: Path) -> None:
        self.store = LocalStore(root, durable=False)
        self.corrupt: set[str] = set()  # canonical CIDs whose blocks are served with one byte flipped
        self.add_answer: str | None = None  # when set, `add` answers this CID whatever it received
        self.not_kubo = False  # when set, every request gets a 404 HTML page, like a web server on the wrong port
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.pins: set[str] = set()
        self.last_authorization: str | None = None
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-kubo", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FakeKubo:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # ----- endpoints: (status, content type, body) ------------------------------------------------

    def version(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        return _json(200, {"Version": "0.22.0-fake", "Commit": "", "Repo": "14", "System": "amd64/linux"})

    def add(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        expected = {"cid-version": "1", "raw-leaves": "true", "chunker": "size-262144"}
        if any(q.get(k) != v for k, v in expected.items()):
            return _error(f"this fake only imports with {expected}, got {q}")
        cid = self.store.add(body)
        if q.get("pin", "true") == "true":
            self.pins.add(cid)
        line = {"Name": "file", "Hash": self.add_answer or cid, "Size": str(len(body))}
        return 200, "application/json", json.dumps(line).encode() + b"\n"

    def block_get(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        block = self.store.block(q["arg"])
        if canonical(q["arg"]) in self.corrupt:
            block = bytes([block[0] ^ 1]) + block[1:] if block else b"\x00"
        return 200, "text/plain", block

    def block_stat(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if not self.store.has(q["arg"]):
            raise ContentNotFound("not here")
        return _json(200, {"Key": q["arg"], "Size": len(self.store.block(q["arg"]))})

    def cat(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        return 200, "text/plain", self.store.get(q["arg"])

    def pin_add(self, q: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        self.store.pin(q["arg"])
        self.pins.add(canonical(q["arg"]))
        return _json(200, {"Pins": [q["arg"]]})

    ROUTES = {
        "/api/v0/version": version,
        "/api/v0/add": add,
        "/api/v0/block/get": block_get,
        "/api/v0/block/stat": block_stat,
        "/api/v0/cat": cat,
        "/api/v0/pin/add": pin_add,
    }

    def handle(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.calls.append((url.path, query))
        if self.not_kubo:
            return 404, "text/html", b"<html><body>Not Found</body></html>"
        route = self.ROUTES.get(url.path)
        if route is None:
            return 404, "text/plain", b"404 page not found"
        if method != "POST":
            return 405, "text/plain", f"405 - Method Not Allowed: {method}".encode()
        try:
            return route(self, query, body)
        except ContentNotFound:
            # kubo's words for a block it does not have (offline, or after the request's timeout)
            return _error(f"block was not found locally (offline): ipld: could not find {query.get('arg')}")
        except IpfsError as exc:
            return _error(exc.message)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request are part of the tests, not errors worth a traceback


def _json(status: int, value: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(value).encode()


def _error(message: str) -> tuple[int, str, bytes]:
    return _json(500, {"Message": message, "Code": 0, "Type": "error"})


def _handler_for(fake: FakeKubo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._answer("POST")

        def do_GET(self) -> None:
            self._answer("GET")

        def _answer(self, method: str) -> None:
            body = self._read_body()
            fake.last_authorization = self.headers.get("Authorization")
            if self.path.startswith("/api/v0/add"):
                body = _multipart_file(self.headers.get("Content-Type", ""), body)
            status, content_type, payload = fake.handle(method, self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                parts: list[bytes] = []
                while True:
                    line = self.rfile.readline()
                    if not line:  # the client gave up mid-body: kubo discards such an upload, so do we
                        raise ConnectionAbortedError("request body cut off")
                    size = int(line.split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _multipart_file(content_type: str, body: bytes) -> bytes:
    """The first part's content of a multipart/form-data body (KuboStore sends exactly one)."""
    boundary = content_type.partition("boundary=")[2].strip('"').encode()
    if not boundary:
        return body
    first = body.split(b"--" + boundary)[1]
    _, _, content = first.partition(b"\r\n\r\n")
    return content.removesuffix(b"\r\n")
