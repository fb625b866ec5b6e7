"""A fault-injecting JSON-RPC proxy in front of a real node (anvil), for testing the RPC client. Loopback only.

Per method (or "*" for every method) it injects, with seeded probabilities drawn in request order: HTTP 429 with
Retry-After, HTTP 500, and timeouts (holds the request longer than the client waits, then drops it). For
eth_getLogs it can refuse spans wider than `max_log_span` in a provider's words (Infura with a suggested range,
Alchemy with a suggestion, QuickNode with its 413 and cap), and answer the newest block's logs as empty, once per
block (a lagging load-balanced node). `counters` records every injection.

Node-shaped faults (sync correctness tests): `lag_blocks` makes it a node behind the others (an older head; blocks
above it unknown; logs above it silently missing, as anvil and many nodes answer a range past their head),
`chain_id` a node of another chain, `empty_logs` / `empty_logs_by_hash` / `hide_receipts` a node whose answers
disagree with its blocks, `duplicate_logs` / `conflicting_logs` a log repeated in one answer, and `mangle` a
malformed hash in headers and logs.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


@dataclass
class Faults:
    """Probabilities per request (their sum must stay <= 1)."""

    p429: float = 0.0
    p500: float = 0.0
    ptimeout: float = 0.0


@dataclass
class ProxyConfig:
    faults: dict[str, Faults] = field(default_factory=dict)  # method name or "*" -> faults
    retry_after: str = "0"  # Retry-After header value sent with 429s
    timeout_hold: float = 2.0  # seconds a "timeout" request is held (longer than the client's timeout)
    max_log_span: int | None = None  # refuse eth_getLogs ranges wider than this
    range_style: str = "infura"  # infura | alchemy | quicknode
    empty_head_logs: bool = False  # answer [] once for the newest block's logs
    dead: bool = False  # every request answers HTTP 500
    lag_blocks: int = 0  # behave as a node this many blocks behind the upstream
    chain_id: int | None = None  # answer eth_chainId with this instead
    empty_logs: bool = False  # every eth_getLogs answers []
    empty_logs_by_hash: bool = False  # eth_getLogs by blockHash answers []
    hide_receipts: bool = False  # eth_getBlockReceipts answers null
    duplicate_logs: bool = False  # every eth_getLogs answer repeats its first log
    conflicting_logs: bool = False  # ... repeated with other data (two logs claiming one position)
    mangle: str | None = None  # "log_hash" | "parent_hash" | "negative_number": a malformed value in answers


class FaultProxy:
    """`with FaultProxy(upstream_url, seed=1) as proxy: proxy.url ...`; change `proxy.config` at any time."""

    def __init__(self, upstream: str, seed: int = 0, config: ProxyConfig | None = None) -> None:
        self.upstream = upstream
        self.config = config or ProxyConfig()
        self.counters: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._emptied: set[int] = set()
        self._stopping = threading.Event()
        self._http = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases requests held as "timeouts"
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(10)
        self._http.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- decisions -------------------------------------------------------------------------------

    def _draw(self, method: str) -> str | None:
        """The fault for this request, if any; one random draw per request, in arrival order."""
        cfg = self.config
        with self._lock:
            self.counters["requests"] += 1
            self.counters[f"method:{method}"] += 1
            if cfg.dead:
                self.counters["dead"] += 1
                return "500"
            faults = cfg.faults.get(method) or cfg.faults.get("*")
            roll = self._rng.random()
            if faults is None:
                return None
            for name, p in (("429", faults.p429), ("500", faults.p500), ("timeout", faults.ptimeout)):
                if roll < p:
                    self.counters[name] += 1
                    return name
                roll -= p
        return None

    def _upstream(self, body: Any) -> Any:
        return self._http.post(self.upstream, json=body).json()

    def _head_number(self) -> int:
        return int(self._upstream({"jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber", "params": []})["result"], 16)

    def _block_number(self, tag: str) -> int:
        return self._head_number() if tag in ("latest", "pending", "safe", "finalized") else int(tag, 16)

    def _range_refusal(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        cfg = self.config
        params = request.get("params") or [{}]
        flt = params[0] if params else {}
        if cfg.max_log_span is None or "blockHash" in flt:
            return None
        start = self._block_number(flt.get("fromBlock", "latest"))
        end = self._block_number(flt.get("toBlock", "latest"))
        if end - start + 1 <= cfg.max_log_span:
            return None
        with self._lock:
            self.counters["range_limit"] += 1
        n = cfg.max_log_span
        suggestion = f"[{hex(start)}, {hex(start + n - 1)}]"
        if cfg.range_style == "alchemy":
            error = {
                "code": -32602,
                "message": (
                    f"Log response size exceeded. You can make eth_getLogs requests with up to a {n} block range "
                    "and no limit on the response size, or you can request any block range with a cap of 10K logs "
                    "in the response. Based on your parameters and the response size limit, "
                    f"this block range should work: {suggestion}"
                ),
            }
            return 200, error
        if cfg.range_style == "quicknode":
            return 413, {"code": -32614, "message": f"eth_getLogs is limited to a {n:,} range"}
        return 200, {
            "code": -32005,
            "message": f"query returned more than 10000 results. Try with this block range {suggestion}.",
            "data": {"from": hex(start), "to": hex(start + n - 1), "limit": 10000},
        }

    def _maybe_empty_head(self, request: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        """Drop the newest block's logs from the answer, once per block."""
        if not self.config.empty_head_logs or not isinstance(answer.get("result"), list):
            return answer
        head = self._head_number()
        with self._lock:
            if head in self._emptied:
                return answer
            kept = [lg for lg in answer["result"] if int(lg["blockNumber"], 16) != head]
            if len(kept) == len(answer["result"]):  # the newest block's logs were not asked for (or none exist)
                return answer
            self._emptied.add(head)
            self.counters["empty_head_logs"] += 1
        return {**answer, "result": kept}

    # ----- node-shaped faults ----------------------------------------------------------------------

    def _lagging_head(self) -> int:
        return self._head_number() - self.config.lag_blocks

    def _beyond(self, block: Any) -> bool:
        return isinstance(block, dict) and int(block["number"], 16) > self._lagging_head()

    def _lagged(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request as a node `lag_blocks` behind would answer it."""
        method, params = request.get("method"), list(request.get("params") or [])
        reply = {"jsonrpc": "2.0", "id": request.get("id")}
        head = self._lagging_head()
        if method == "eth_blockNumber":
            return reply | {"result": hex(head)}
        if method == "eth_getBlockByNumber" and params and params[0] in ("latest", "pending", "safe", "finalized"):
            if params[0] in ("latest", "pending"):
                params[0] = hex(head)
            else:
                tagged = self._upstream(request | {"params": params})["result"]
                params[0] = hex(max(0, int(tagged["number"], 16) - self.config.lag_blocks))
        answer = self._upstream(request | {"params": params})
        result = answer.get("result")
        if method in ("eth_getBlockByNumber", "eth_getBlockByHash") and self._beyond(result):
            return reply | {"result": None}
        if method == "eth_getBlockReceipts" and result and int(result[0]["blockNumber"], 16) > head:
            return reply | {"result": None}
        if method == "eth_getLogs" and isinstance(result, list):
            return answer | {"result": [lg for lg in result if int(lg["blockNumber"], 16) <= head]}
        return answer

    def _node_answer(self, request: dict[str, Any]) -> dict[str, Any]:
        cfg = self.config
        method = request.get("method")
        if method == "eth_chainId" and cfg.chain_id is not None:
            return {"jsonrpc": "2.0", "id": request.get("id"), "result": hex(cfg.chain_id)}
        answer = self._lagged(request) if cfg.lag_blocks else self._upstream(request)
        result = answer.get("result")
        by_hash = bool(request.get("params")) and "blockHash" in (request["params"][0] or {})
        if method == "eth_getLogs" and isinstance(result, list):
            if cfg.empty_logs or (cfg.empty_logs_by_hash and by_hash):
                self._count("empty_logs")
                return answer | {"result": []}
            if result and (cfg.duplicate_logs or cfg.conflicting_logs):
                again = dict(result[0])
                if cfg.conflicting_logs:
                    again["data"] = "0x" + "ff" * 32
                self._count("duplicate_logs")
                return answer | {"result": [*result, again]}
            if result and cfg.mangle == "log_hash":
                self._count("mangled")
                return answer | {
                    "result": [{**result[0], "blockHash": result[0]["blockHash"][:-1] + "\t"}, *result[1:]]
                }
        if method == "eth_getBlockReceipts" and cfg.hide_receipts:
            self._count("hidden_receipts")
            return answer | {"result": None}
        if (
            method == "eth_getBlockByNumber"
            and isinstance(result, dict)
            and cfg.mangle in ("parent_hash", "negative_number")
        ):
            self._count("mangled")
            if cfg.mangle == "parent_hash":
                return answer | {"result": {**result, "parentHash": "0x" + "zz" * 32}}
            return answer | {"result": {**result, "number": "-" + result["number"]}}
        return answer

    def _count(self, name: str) -> None:
        with self._lock:
            self.counters[name] += 1

    def _forward(self, body: Any) -> Any:
        cfg = self.config
        shaped = (
            cfg.lag_blocks
            or cfg.chain_id is not None
            or cfg.empty_logs
            or cfg.empty_logs_by_hash
            or cfg.hide_receipts
            or cfg.duplicate_logs
            or cfg.conflicting_logs
            or cfg.mangle
        )
        if not shaped:
            return self._upstream(body)
        if isinstance(body, list):
            return [self._node_answer(item) for item in body]
        return self._node_answer(body)

    # ----- HTTP ------------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet: tests read counters, not logs
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                method = "batch" if isinstance(body, list) else str(body.get("method"))
                fault = proxy._draw(method)
                if fault == "timeout":
                    proxy._stopping.wait(proxy.config.timeout_hold)
                    self.close_connection = True
                    return
                if fault == "429":
                    return self._reply(
                        429,
                        {"jsonrpc": "2.0", "id": None, "error": {"code": 429, "message": "Too Many Requests"}},
                        {"Retry-After": proxy.config.retry_after},
                    )
                if fault == "500":
                    return self._reply(500, {"error": "internal server error"})
                if method == "eth_getLogs" and (refusal := proxy._range_refusal(body)):
                    status, error = refusal
                    return self._reply(status, {"jsonrpc": "2.0", "id": body.get("id"), "error": error})
                answer = proxy._forward(body)
                if method == "eth_getLogs":
                    answer = proxy._maybe_empty_head(body, answer)
                self._reply(200, answer)

            def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on this request

        return Handler
