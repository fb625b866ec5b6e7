"""RpcClient: the ChainSource over raw JSON-RPC (httpx, no web3), with retries, backoff, failover and return.

Retries with exponential backoff and jitter on 429 (honouring Retry-After), 5xx, timeouts, connection errors and
transient JSON-RPC errors; after `max_retries` on one URL it fails over to the next, and comes back to the
primary (URL 0) after `cooldown` seconds with a single probing attempt. Range-limit refusals are not retried
here: they raise RangeTooLarge for the caller's AdaptiveRange. Only hosts are logged (URLs can carry API keys).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any, TypeVar

import httpx
import structlog

from indexer.rpc import normalize
from indexer.rpc.errors import RangeTooLarge, RpcError, RpcUnavailable, UnknownBlock
from indexer.rpc.failures import (
    RETRYABLE,
    backoff_delay,
    classify_rpc_error,
    error_text,
    host_of,
    retry_after_seconds,
)
from indexer.rpc.limits import parse_range_limit
from indexer.rpc.metrics import RPC_FAILOVERS, RPC_REQUESTS, count_error
from indexer.types import BlockHeader, RawLog

log = structlog.get_logger(__name__)

T = TypeVar("T")
_HEADERS = {"content-type": "application/json"}
Parse = Callable[[Any], T]


@dataclass
class _Endpoint:
    index: int
    host: str
    http: httpx.Client


class RpcClient:
    """ChainSource over one or more JSON-RPC URLs (index 0 is the primary)."""

    def __init__(
        self,
        urls: Sequence[str],
        timeout: float = 10.0,
        max_retries: int = 4,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        cooldown: float = 30.0,
        retry_after_max: float = 30.0,
        batch_size: int = 100,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one RPC URL is required")
        self._endpoints = [
            _Endpoint(i, host_of(u), httpx.Client(base_url=u, timeout=timeout, headers=_HEADERS))
            for i, u in enumerate(urls)
        ]
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.cooldown = cooldown
        self.retry_after_max = retry_after_max
        self.batch_size = batch_size
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._ids = count(1)
        self.active = 0  # index of the URL calls go to first
        self._left_primary_at: float | None = None

    @property
    def hosts(self) -> list[str]:
        """What may be shown about the URLs (no paths, no keys), by index."""
        return [e.host for e in self._endpoints]

    # ----- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        for e in self._endpoints:
            e.http.close()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- ChainSource -----------------------------------------------------------------------------

    def chain_id(self) -> int:
        return int(self.call("eth_chainId", []), 16)

    def head(self) -> BlockHeader:
        return self._request("eth_getBlockByNumber", ["latest", False], _header_or_retry)

    def finalized_number(self) -> int | None:
        def parse(body: Any) -> int | None:
            if "error" in body:
                error = classify_rpc_error(body["error"])
                if error.kind == "rate_limited":
                    raise error
                return None  # the tag is unknown to this node: the caller falls back to a fixed depth
            result = body.get("result")
            return int(result["number"], 16) if result else None

        return self._request("eth_getBlockByNumber", ["finalized", False], parse, raw=True)

    def header(self, number: int) -> BlockHeader:
        return self._request("eth_getBlockByNumber", [hex(number), False], _header_or_retry)

    def header_by_hash(self, block_hash: str) -> BlockHeader | None:
        return self._request(
            "eth_getBlockByHash", [block_hash, False], lambda r: normalize.block_header(r) if r else None
        )

    def headers(self, numbers: Sequence[int]) -> list[BlockHeader]:
        """Headers in the order asked, fetched with batch JSON-RPC (`batch_size` per HTTP request)."""
        out: list[BlockHeader] = []
        for i in range(0, len(numbers), self.batch_size):
            chunk = numbers[i : i + self.batch_size]
            calls = [("eth_getBlockByNumber", [hex(n), False]) for n in chunk]
            out += self._batch(calls, _header_or_retry)
        return out

    def logs(self, from_block: int, to_block: int, addresses: list[str]) -> list[RawLog]:
        params = [{"fromBlock": hex(from_block), "toBlock": hex(to_block), "address": addresses}]

        def parse(body: Any) -> list[RawLog]:
            if "error" in body:
                error = body["error"]
                code = error.get("code") if isinstance(error, dict) else None
                message = error_text(error)
                advice = parse_range_limit(code, message, from_block, to_block)
                if advice is not None:
                    raise RangeTooLarge(advice, from_block, to_block, message, code)
                raise classify_rpc_error(error)
            return _logs_in(body.get("result"), lambda lg: from_block <= lg.block_number <= to_block)

        return self._request("eth_getLogs", params, parse, raw=True)

    def logs_by_block_hash(self, block_hash: str, addresses: list[str]) -> list[RawLog]:
        block_hash = block_hash.lower()
        return self._request(
            "eth_getLogs",
            [{"blockHash": block_hash, "address": addresses}],
            lambda r: _logs_in(r, lambda lg: lg.block_hash == block_hash),
        )

    # ----- generic calls ---------------------------------------------------------------------------

    def call(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC call's `result`, with this client's retries and failover."""
        return self._request(method, params, lambda r: r)

    def _request(self, method: str, params: list[Any], parse: Parse[T], raw: bool = False) -> T:
        """`parse` gets the `result` (or the whole body when `raw`, to read errors itself) and may raise RpcError."""

        def handle(body: Any) -> T:
            if not isinstance(body, dict) or ("result" not in body and "error" not in body):
                raise RpcError("bad_response", f"{method}: not a JSON-RPC response")
            if raw:
                return parse(body)
            if "error" in body:
                raise classify_rpc_error(body["error"])
            return parse(body["result"])

        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return self._with_failover(json.dumps(payload).encode(), method, handle)

    def _batch(self, calls: list[tuple[str, list[Any]]], parse: Parse[T]) -> list[T]:
        """A batch request; any failed item fails (and retries) the whole batch."""
        first = next(self._ids)
        payload = [{"jsonrpc": "2.0", "id": first + k, "method": m, "params": p} for k, (m, p) in enumerate(calls)]
        for _ in calls[1:]:
            next(self._ids)

        def handle(body: Any) -> list[T]:
            if isinstance(body, dict) and "error" in body:  # the provider refused the batch as a whole
                raise classify_rpc_error(body["error"])
            if not isinstance(body, list) or len(body) != len(calls):
                raise RpcError("bad_response", "batch answer of the wrong shape")
            by_id = {item.get("id"): item for item in body if isinstance(item, dict)}
            out = []
            for k in range(len(calls)):
                item = by_id.get(first + k)
                if item is None:
                    raise RpcError("bad_response", "batch answer is missing an id")
                if "error" in item:
                    raise classify_rpc_error(item["error"])
                out.append(parse(item.get("result")))
            return out

        return self._with_failover(json.dumps(payload).encode(), "batch", handle)

    # ----- retries and failover --------------------------------------------------------------------

    def _with_failover(self, payload: bytes, label: str, handle: Callable[[Any], T]) -> T:
        probing = self._maybe_return_to_primary()
        order = [self._endpoints[(self.active + k) % len(self._endpoints)] for k in range(len(self._endpoints))]
        last: RpcError | None = None
        for endpoint in order:
            attempts = 1 if probing and endpoint.index == 0 else self.max_retries + 1
            for attempt in range(attempts):
                try:
                    result = handle(self._post(endpoint, payload, label))
                except RangeTooLarge as exc:
                    count_error(exc.kind, endpoint.index)
                    raise
                except RpcError as exc:
                    count_error(exc.kind, endpoint.index)
                    last = exc
                    if exc.kind not in RETRYABLE:
                        break
                    if attempt + 1 < attempts:
                        delay = self._delay(attempt, exc)
                        log.warning(
                            "rpc_retry",
                            host=endpoint.host,
                            method=label,
                            kind=exc.kind,
                            attempt=attempt + 1,
                            delay=round(delay, 3),
                        )
                        self._sleep(delay)
                    continue
                self._settle_on(endpoint.index)
                return result
            probing = False
            self._fail_over_from(endpoint.index)
        if isinstance(last, UnknownBlock):
            raise last
        hosts = ", ".join(e.host for e in order)
        raise RpcUnavailable(f"{label} failed on every RPC URL ({hosts}): {last}", last)

    def _post(self, endpoint: _Endpoint, payload: bytes, label: str) -> Any:
        RPC_REQUESTS.labels(method=label, url_index=str(endpoint.index)).inc()
        try:
            response = endpoint.http.post("", content=payload)
        except httpx.TimeoutException as exc:
            raise RpcError("timeout", f"{endpoint.host}: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            raise RpcError("connection", f"{endpoint.host}: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
            raise RpcError("rate_limited", f"{endpoint.host}: HTTP 429", 429, retry_after=retry_after)
        if status >= 500:
            raise RpcError("http_5xx", f"{endpoint.host}: HTTP {status}", status)
        try:
            body = json.loads(response.content)
        except ValueError:
            kind = "http_4xx" if status >= 400 else "bad_response"
            raise RpcError(kind, f"{endpoint.host}: HTTP {status}, body is not JSON", status) from None
        # Some providers answer a JSON-RPC error with a 4xx status (QuickNode: 413 for range limits): read it.
        if status >= 400 and not (isinstance(body, dict) and "error" in body):
            raise RpcError("http_4xx", f"{endpoint.host}: HTTP {status}", status)
        return body

    def _delay(self, attempt: int, error: RpcError) -> float:
        return backoff_delay(
            attempt, self.backoff_base, self.backoff_max, self._rng.random(), error.retry_after, self.retry_after_max
        )

    def _maybe_return_to_primary(self) -> bool:
        """After the cool-down, try the primary again (once per call until it answers). True when probing."""
        if self.active == 0 or self._left_primary_at is None:
            return False
        if self._clock() - self._left_primary_at < self.cooldown:
            return False
        log.info("rpc_probe_primary", host=self._endpoints[0].host)
        self.active = 0
        return True

    def _fail_over_from(self, index: int) -> None:
        nxt = (index + 1) % len(self._endpoints)
        if nxt == index:
            return
        if index == 0 or self._left_primary_at is None:
            self._left_primary_at = self._clock()
        if self.active == index:
            self.active = nxt
            RPC_FAILOVERS.labels(to_index=str(nxt)).inc()
            log.warning("rpc_failover", from_host=self._endpoints[index].host, to_host=self._endpoints[nxt].host)

    def _settle_on(self, index: int) -> None:
        if index == 0 and self._left_primary_at is not None:
            log.info("rpc_primary_back", host=self._endpoints[0].host)
            self._left_primary_at = None
        self.active = index


def _header_or_retry(result: Any) -> BlockHeader:
    if not result:  # a load-balanced node behind the others: not there yet
        raise RpcError("null_result", "block not available yet")
    return normalize.block_header(result)


def _logs_in(result: Any, belongs: Callable[[RawLog], bool]) -> list[RawLog]:
    if not isinstance(result, list):
        raise RpcError("bad_response", "eth_getLogs result is not a list")
    try:
        logs = normalize.raw_logs(result)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a pending log (nulls) or a mangled one
        raise RpcError("bad_response", f"eth_getLogs entry unreadable: {type(exc).__name__}") from None
    if not all(belongs(lg) for lg in logs):
        raise RpcError("bad_response", "eth_getLogs returned logs outside the range asked")
    return logs
