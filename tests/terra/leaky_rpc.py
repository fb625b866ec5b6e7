"""A fake RPC provider (a fake: no real provider runs here) in front of anvil that fails chosen methods the way a
careless provider does: an HTTP error whose reason phrase and body echo the request URL, API key included."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class LeakyRpc:
    """`with LeakyRpc(anvil.url, fail={"eth_call": 500}) as rpc:` then use `rpc.url_with_key(key)`."""

    def __init__(self, upstream: str, fail: dict[str, int]) -> None:
        self.upstream = upstream
        self.fail = fail  # JSON-RPC method (or "*") -> HTTP status answered instead of forwarding
        self.failed = 0
        self._http = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url_with_key(self, key: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v3/{key}"

    def _answer(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        try:
            request: Any = json.loads(body)
        except ValueError:
            request = {}
        methods = {r.get("method") for r in request} if isinstance(request, list) else {request.get("method")}
        status = next((self.fail[m] for m in methods if m in self.fail), self.fail.get("*"))
        if status is not None:
            self.failed += 1
            echo = f"invalid project id for http://127.0.0.1{path}"
            return status, echo, json.dumps({"error": echo, "url": path}).encode()
        upstream = self._http.post(self.upstream, content=body, headers={"content-type": "application/json"})
        return upstream.status_code, "OK", upstream.content

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status, reason, payload = fake._answer(self.path, body)
                self.send_response(status, reason)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> LeakyRpc:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()
