"""RpcClient: the ChainSource over raw JSON-RPC (httpx, no web3), with retries, backoff, failover and return.

Retries with exponential backoff and jitter on 429 (honouring Retry-After), 5xx, timeouts, connection errors and
transient JSON-RPC errors; after `max_retries` on one URL it fails over to the next, and comes back to the
primary (URL 0) after `cooldown` seconds with a single probing attempt. Range-limit refusals are not retried
here: they raise RangeTooLarge for the caller's AdaptiveRange. Only hosts are logged (URLs can carry API keys).

Every URL's `eth_chainId` is checked before anything else is read from it; one serving another chain is refused
for good. `read_from_one` pins a read (a backfill range's logs and headers, a block's logs and their proof) to one
URL whose head has reached the blocks it reads, so two nodes' answers are never mixed in one range.
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

from indexer.errors import WrongDeployment
from indexer.rpc import normalize
from indexer.rpc.calls import ChainCalls, Handle
from indexer.rpc.errors import NodesBehind, RangeTooLarge, RpcError, RpcUnavailable, UnknownBlock
from indexer.rpc.failures import RETRYABLE, backoff_delay, host_of, retry_after_seconds
from indexer.rpc.metrics import RPC_FAILOVERS, RPC_REQUESTS, count_error
from indexer.types import ChainSource

log = structlog.get_logger(__name__)

T = TypeVar("T")
_HEADERS = {"content-type": "application/json"}


@dataclass
class _Endpoint:
    index: int
    host: str
    http: httpx.Client
    chain_ok: bool | None = None  # None until its eth_chainId was read


class RpcClient(ChainCalls):
    """ChainSource over one or more JSON-RPC URLs (index 0 is the primary). `chain_id`: the chain every URL must
    serve; when None, the first URL that answers decides and the others must agree."""

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
        chain_id: int | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one RPC URL is required")
        super().__init__(count(1), batch_size)
        self._endpoints = [
            _Endpoint(i, host_of(u), httpx.Client(base_url=u, timeout=timeout, headers=_HEADERS))
            for i, u in enumerate(urls)
        ]
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.cooldown = cooldown
        self.retry_after_max = retry_after_max
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.expected_chain_id = chain_id
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
        """The chain the RPC URLs serve. Without a `chain_id` given, every URL that answers now must agree (one
        serving another chain is named, nothing is read); a URL down now is checked when it first answers."""
        if self.expected_chain_id is not None:
            return self.expected_chain_id
        served: dict[str, int] = {}
        last: RpcError | None = None
        for endpoint in self._endpoints:
            try:
                served[endpoint.host] = self._endpoint_chain_id(endpoint, self.max_retries + 1)
            except RpcError as exc:
                last = exc
                self._fail_over_from(endpoint.index)
        if not served:
            raise RpcUnavailable(f"eth_chainId failed on every RPC URL ({', '.join(self.hosts)}): {last}", last)
        if len(set(served.values())) > 1:
            listed = ", ".join(f"{host} serves {cid}" for host, cid in served.items())
            raise WrongDeployment(f"the RPC URLs serve different chains ({listed}): fix RPC_URLS or set CHAIN_ID")
        self.expected_chain_id = next(iter(served.values()))
        for endpoint in self._endpoints:
            if endpoint.host in served:
                endpoint.chain_ok = True
        return self.expected_chain_id

    def read_from_one(self, min_head: int, read: Callable[[ChainSource], T]) -> T:
        """`read` on the first usable URL (from the active one) whose head is at least `min_head`; if that URL fails
        after its retries, the whole read starts again on the next. NodesBehind when none has reached `min_head`."""
        probing = self._maybe_return_to_primary()
        behind: list[str] = []
        last: RpcError | None = None
        for endpoint in self._order():
            one = _OneEndpoint(self, endpoint, 1 if probing and endpoint.index == 0 else self.max_retries + 1)
            probing = False
            try:
                if not self._usable(endpoint):
                    continue
                head = one.head_number()
                if head < min_head:
                    behind.append(f"{endpoint.host} at {head}")
                    continue
                if endpoint.index != self.active:
                    self._move_to(endpoint.index, f"its head {head} reached {min_head}")
                return read(one)
            except (RangeTooLarge, UnknownBlock, NodesBehind):
                raise  # the caller's to handle: a narrower range, a block gone, a node that went back
            except RpcError as exc:
                last = exc
                self._fail_over_from(endpoint.index)
        if last is None and behind:
            raise NodesBehind(f"no RPC URL has reached block {min_head} yet ({', '.join(behind)})")
        if last is None:
            raise self._all_refused()
        hosts = ", ".join(e.host for e in self._endpoints)
        raise RpcUnavailable(f"no RPC URL could serve a read up to block {min_head} ({hosts}): {last}", last)

    # ----- sending, retries and failover -----------------------------------------------------------

    def _order(self) -> list[_Endpoint]:
        return [self._endpoints[(self.active + k) % len(self._endpoints)] for k in range(len(self._endpoints))]

    def _send(self, payload: bytes, label: str, handle: Handle[T]) -> T:
        probing = self._maybe_return_to_primary()
        last: RpcError | None = None
        for endpoint in self._order():
            attempts = 1 if probing and endpoint.index == 0 else self.max_retries + 1
            probing = False
            try:
                if not self._usable(endpoint, attempts):
                    continue
                result = self._attempts(endpoint, payload, label, handle, attempts)
            except RangeTooLarge:
                raise
            except RpcError as exc:
                last = exc
                self._fail_over_from(endpoint.index)
                continue
            self._settle_on(endpoint.index)
            return result
        if isinstance(last, UnknownBlock):
            raise last
        if last is None:
            raise self._all_refused()
        hosts = ", ".join(e.host for e in self._order())
        raise RpcUnavailable(f"{label} failed on every RPC URL ({hosts}): {last}", last)

    def _attempts(self, endpoint: _Endpoint, payload: bytes, label: str, handle: Handle[T], attempts: int) -> T:
        """Up to `attempts` tries on one URL, with backoff; the last RpcError when they all fail."""
        last: RpcError | None = None
        for attempt in range(attempts):
            try:
                return handle(self._post(endpoint, payload, label))
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
        assert last is not None
        raise last

    def _usable(self, endpoint: _Endpoint, attempts: int | None = None) -> bool:
        """Whether this URL serves our chain, asking it once (RpcError if it cannot answer now)."""
        if endpoint.chain_ok is None:
            served = self._endpoint_chain_id(endpoint, attempts or self.max_retries + 1)
            if self.expected_chain_id is None:
                self.expected_chain_id = served
            endpoint.chain_ok = served == self.expected_chain_id
            if not endpoint.chain_ok:
                log.error(
                    "rpc_wrong_chain",
                    host=endpoint.host,
                    url_index=endpoint.index,
                    chain_id=served,
                    expected=self.expected_chain_id,
                    detail="this RPC URL serves another chain: it is refused and never read",
                )
        return endpoint.chain_ok

    def _endpoint_chain_id(self, endpoint: _Endpoint, attempts: int) -> int:
        payload = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": "eth_chainId", "params": []})

        def handle(body: Any) -> int:
            if not isinstance(body, dict) or "result" not in body:
                raise RpcError("bad_response", "eth_chainId: no result")
            try:
                return normalize.quantity(body["result"])
            except ValueError:
                raise RpcError("bad_response", "eth_chainId: not a quantity") from None

        return self._attempts(endpoint, payload.encode(), "eth_chainId", handle, attempts)

    def _all_refused(self) -> WrongDeployment:
        hosts = ", ".join(e.host for e in self._endpoints)
        return WrongDeployment(
            f"every RPC URL ({hosts}) serves another chain than chain id {self.expected_chain_id}: none is used; "
            "check RPC_URL / RPC_URLS"
        )

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
        if nxt == index or self.active != index:
            return
        self._move_to(nxt, "failed after its retries")

    def _move_to(self, index: int, why: str) -> None:
        if self.active == 0 or self._left_primary_at is None:
            self._left_primary_at = self._clock()
        log.warning("rpc_failover", from_host=self._endpoints[self.active].host, to_host=self.hosts[index], why=why)
        self.active = index
        RPC_FAILOVERS.labels(to_index=str(index)).inc()

    def _settle_on(self, index: int) -> None:
        if index == 0 and self._left_primary_at is not None:
            log.info("rpc_primary_back", host=self._endpoints[0].host)
            self._left_primary_at = None
        self.active = index


class _OneEndpoint(ChainCalls):
    """The client's calls, all to one URL (its retries, no failover): what `read_from_one` hands to a read."""

    def __init__(self, client: RpcClient, endpoint: _Endpoint, attempts: int) -> None:
        super().__init__(client._ids, client.batch_size)
        self._client, self._endpoint, self._attempts_each = client, endpoint, attempts

    @property
    def host(self) -> str:
        return self._endpoint.host

    def _send(self, payload: bytes, label: str, handle: Handle[T]) -> T:
        return self._client._attempts(self._endpoint, payload, label, handle, self._attempts_each)

    def read_from_one(self, min_head: int, read: Callable[[ChainSource], T]) -> T:
        head = self.head_number()
        if head < min_head:
            raise NodesBehind(f"{self.host} is at block {head}, below {min_head}")
        return read(self)
