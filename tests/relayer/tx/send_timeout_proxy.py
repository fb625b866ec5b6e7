"""A JSON-RPC proxy in front of anvil whose eth_sendRawTransaction times out: the first `faults` sends are held
longer than the client waits and then dropped, either before reaching the node (`forward=False`: nothing sent) or
after the node took them (`forward=True`: sent, but the answer is lost). Everything else passes through. Loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class SendTimeoutProxy:
    def __init__(self, upstream: str, faults: int, forward: bool, hold: float = 2.0) -> None:
        self.upstream, self.faults, self.forward, self.hold = upstream, faults, forward, hold
        self.sends = 0  # eth_sendRawTransaction requests seen
        self.timed_out = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="send-timeout-proxy", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SendTimeoutProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
        self._http.close()

    def _fault(self, body: Any) -> bool:
        if not isinstance(body, dict) or body.get("method") != "eth_sendRawTransaction":
            return False
        with self._lock:
            self.sends += 1
            if self.timed_out < self.faults:
                self.timed_out += 1
                return True
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                body = json.loads(raw)
                if proxy._fault(body):
                    if proxy.forward:
                        proxy._http.post(proxy.upstream, content=raw, headers={"content-type": "application/json"})
                    proxy._stopping.wait(proxy.hold)
                    self.close_connection = True
                    return
                answer = proxy._http.post(proxy.upstream, content=raw, headers={"content-type": "application/json"})
                data = answer.content
                try:
                    self.send_response(answer.status_code)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
