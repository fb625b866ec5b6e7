"""New-head notices over anvil's WebSocket (same port as HTTP), and the quiet fallback where there is none."""

from __future__ import annotations

import json
import threading

from websockets.sync.server import ServerConnection, serve

from indexer import heads
from indexer.heads import HeadNotices, websocket_url
from tests.indexer.mirror_support import mine


def test_websocket_url_follows_the_rpc_url() -> None:
    assert websocket_url("http://127.0.0.1:8545") == "ws://127.0.0.1:8545"
    assert websocket_url("https://polygon.example/v2/KEY") == "wss://polygon.example/v2/KEY"
    assert websocket_url("ipc:///tmp/geth.ipc") is None


def test_a_new_block_wakes_the_listener(anvil, chain) -> None:  # chain: the block is reverted after
    stop = threading.Event()
    notices = HeadNotices(websocket_url(anvil.url) or "", stop).start()
    try:
        assert notices.connected.wait(10)
        mine(anvil.url, 1)
        assert notices.event.wait(10)
    finally:
        stop.set()


def test_no_websocket_server_leaves_polling_alone() -> None:
    stop = threading.Event()
    notices = HeadNotices("ws://127.0.0.1:9", stop).start()  # nothing listens on the discard port
    try:
        assert not notices.connected.wait(0.5)
        assert not notices.event.is_set()
    finally:
        stop.set()


def test_a_socket_that_keeps_dropping_is_reconnected_for_as_long_as_the_indexer_runs(monkeypatch) -> None:
    """A provider that accepts the subscription and hangs up, again and again (more than three times)."""
    monkeypatch.setattr(heads, "RECONNECT_DELAY", 0.01)
    monkeypatch.setattr(heads, "RECONNECT_MAX", 0.05, raising=False)
    connections = 0
    enough = threading.Event()

    def hang_up(ws: ServerConnection) -> None:
        nonlocal connections
        ws.recv()
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "result": "0x1"}))
        connections += 1
        if connections >= 8:
            enough.set()
        ws.close()

    with serve(hang_up, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        stop = threading.Event()
        notices = HeadNotices(f"ws://127.0.0.1:{port}", stop).start()
        try:
            assert enough.wait(60), f"gave up after {connections} connections"
        finally:
            stop.set()
            notices.close()
            server.shutdown()
