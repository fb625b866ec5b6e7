"""New-head notices over a WebSocket `newHeads` subscription, where the RPC offers one: they only wake the sync
loop early (the loop still reads headers over HTTP and keeps polling), so losing the socket loses nothing."""

from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit, urlunsplit

import structlog
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

log = structlog.get_logger(__name__)

RECONNECT_DELAY = 2.0  # seconds before the first reconnect; doubled after each failure in a row
RECONNECT_MAX = 60.0  # the cap: a socket refused for hours is still tried once a minute


def websocket_url(rpc_url: str) -> str | None:
    """ws(s):// for the same host, port and path (anvil and most providers serve both on one endpoint)."""
    parts = urlsplit(rpc_url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, "")) if scheme else None


class HeadNotices:
    """A daemon thread that sets `event` on every new head. A dropped or refused socket is tried again with capped
    backoff for as long as the indexer runs (polling goes on meanwhile); `attempts` counts connection tries."""

    def __init__(self, url: str, stop: threading.Event) -> None:
        self.url = url
        self.outer = stop
        self.stop = threading.Event()  # set by close(), or when the caller's stop is
        self.event = threading.Event()
        self.connected = threading.Event()
        self.attempts = 0
        self._thread = threading.Thread(target=self._run, name="head-notices", daemon=True)

    def start(self) -> HeadNotices:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self._thread.join(5)

    def _stopped(self) -> bool:
        if self.outer.is_set():
            self.stop.set()
        return self.stop.is_set()

    def _run(self) -> None:
        failures = 0
        while not self._stopped():
            try:
                self.attempts += 1
                self._listen()
                failures = 0
            except (OSError, WebSocketException, ValueError) as exc:
                failures = 1 if self.connected.is_set() else failures + 1  # a drop after a good spell starts over
                self.connected.clear()
                delay = min(RECONNECT_MAX, RECONNECT_DELAY * 2 ** (failures - 1))
                log.info(
                    "head_notices_unavailable",
                    host=urlsplit(self.url).hostname,
                    error=type(exc).__name__,
                    failures=failures,
                    retry_in=delay,
                )
                self.stop.wait(delay)
        self.connected.clear()

    def _listen(self) -> None:
        with connect(self.url, open_timeout=5, close_timeout=1) as ws:
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}))
            reply = json.loads(ws.recv(timeout=5))
            if "error" in reply:
                raise ValueError(f"newHeads refused: {reply['error']}")
            self.connected.set()
            while not self._stopped():
                try:
                    message = ws.recv(timeout=0.5)
                except TimeoutError:
                    continue
                if json.loads(message).get("method") == "eth_subscription":
                    self.event.set()
