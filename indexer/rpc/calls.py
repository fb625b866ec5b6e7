"""The ChainSource's JSON-RPC calls and how each answer is read, over one abstract `_send`: the failing-over client
and the one-endpoint view of it (indexer/rpc/client.py) share every call and differ only in where it goes."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from indexer.rpc import normalize
from indexer.rpc.errors import RangeTooLarge, RpcError
from indexer.rpc.failures import classify_rpc_error, error_text
from indexer.rpc.limits import parse_range_limit
from indexer.types import BlockHeader, ChainSource, RawLog

T = TypeVar("T")
Parse = Callable[[Any], T]
Handle = Callable[[Any], T]

_UNSUPPORTED_WORDS = ("method not found", "not supported", "does not exist", "not available", "unsupported")
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


class ChainCalls(ABC):
    """Every ChainSource call as a JSON-RPC payload plus the rule reading its answer; `_send` delivers it."""

    def __init__(self, ids: Iterator[int], batch_size: int) -> None:
        self._ids = ids
        self.batch_size = batch_size

    @abstractmethod
    def _send(self, payload: bytes, label: str, handle: Handle[T]) -> T:
        """POST `payload` and return `handle(body)`; `handle` raises RpcError for an answer to retry."""

    @abstractmethod
    def read_from_one(self, min_head: int, read: Callable[[ChainSource], T]) -> T:
        """`read(source)` with every call of `source` going to one endpoint whose head is at least `min_head`."""

    # ----- ChainSource -----------------------------------------------------------------------------

    def chain_id(self) -> int:
        return self._request("eth_chainId", [], normalize.quantity)

    def head_number(self) -> int:
        return self._request("eth_blockNumber", [], _quantity)

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
            return _quantity(result["number"]) if result else None

        return self._request("eth_getBlockByNumber", ["finalized", False], parse, raw=True)

    def header(self, number: int) -> BlockHeader:
        return self._request("eth_getBlockByNumber", [hex(number), False], _header_or_retry)

    def header_by_hash(self, block_hash: str) -> BlockHeader | None:
        return self._request("eth_getBlockByHash", [block_hash, False], lambda r: _header_or_retry(r) if r else None)

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

    def receipt_logs(self, block_hash: str, addresses: list[str]) -> list[RawLog] | None:
        """Our logs read from the block's receipts (`eth_getBlockReceipts` by hash; per transaction where the node
        lacks that method): the node's proof that it holds the block. None when it shows no receipts for it."""
        block_hash = block_hash.lower()
        wanted = {a.lower() for a in addresses}

        def ours(receipts: list[Any]) -> list[RawLog] | None:
            if not receipts:  # unknown here; a block whose bloom holds anything has a receipt
                return None
            entries = [entry for receipt in receipts for entry in _receipt(receipt)["logs"]]
            found = _logs_in(entries, lambda lg: lg.block_hash == block_hash)
            return [lg for lg in found if lg.address in wanted]

        def parse(body: Any) -> list[Any] | None | _Unsupported:
            if "error" in body:
                error = classify_rpc_error(body["error"])
                if body["error"].get("code") == -32601 or any(w in error.message.lower() for w in _UNSUPPORTED_WORDS):
                    return _UNSUPPORTED
                raise error
            result = body.get("result")
            if result is not None and not isinstance(result, list):
                raise RpcError("bad_response", "eth_getBlockReceipts result is not a list")
            return result

        receipts = self._request("eth_getBlockReceipts", [block_hash], parse, raw=True)
        if not isinstance(receipts, _Unsupported):
            return ours(receipts or [])
        block = self._request("eth_getBlockByHash", [block_hash, False], lambda r: r)
        if not block:
            return None
        tx_hashes = [normalize.block_hash(h) for h in block.get("transactions") or []]
        fetched: list[Any] = []
        for i in range(0, len(tx_hashes), self.batch_size):
            calls = [("eth_getTransactionReceipt", [h]) for h in tx_hashes[i : i + self.batch_size]]
            fetched += self._batch(calls, _receipt)
        return ours(fetched)

    # ----- generic calls ---------------------------------------------------------------------------

    def call(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC call's `result`, with this source's retries (and failover, where it has several URLs)."""
        return self._request(method, params, lambda r: r)

    def _request(self, method: str, params: list[Any], parse: Parse[T], raw: bool = False) -> T:
        """`parse` gets the `result` (or the whole body when `raw`, to read errors itself) and may raise RpcError;
        an answer it cannot read (a missing key, a malformed hash) is a bad_response."""

        def handle(body: Any) -> T:
            if not isinstance(body, dict) or ("result" not in body and "error" not in body):
                raise RpcError("bad_response", f"{method}: not a JSON-RPC response")
            try:
                if raw:
                    return parse(body)
                if "error" in body:
                    raise classify_rpc_error(body["error"])
                return parse(body["result"])
            except _UNREADABLE as exc:
                raise RpcError("bad_response", f"{method}: answer unreadable: {exc}") from None

        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return self._send(json.dumps(payload).encode(), method, handle)

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
                try:
                    out.append(parse(item.get("result")))
                except _UNREADABLE as exc:
                    raise RpcError("bad_response", f"batch item unreadable: {exc}") from None
            return out

        return self._send(json.dumps(payload).encode(), "batch", handle)


class _Unsupported:
    """The node does not offer a method (answered -32601 or in words)."""


_UNSUPPORTED = _Unsupported()


def _quantity(value: Any) -> int:
    return normalize.quantity(value)


def _header_or_retry(result: Any) -> BlockHeader:
    if not result:  # a load-balanced node behind the others: not there yet
        raise RpcError("null_result", "block not available yet")
    return normalize.block_header(result)


def _receipt(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or not isinstance(result.get("logs"), list):
        raise RpcError("null_result" if result is None else "bad_response", "receipt not available")
    return result


def _logs_in(result: Any, belongs: Callable[[RawLog], bool]) -> list[RawLog]:
    if not isinstance(result, list):
        raise RpcError("bad_response", "eth_getLogs result is not a list")
    try:
        logs = normalize.raw_logs(result)
    except _UNREADABLE as exc:  # a pending log (nulls), a mangled one, or two different logs at one position
        raise RpcError("bad_response", f"eth_getLogs entry unreadable: {exc}") from None
    if not all(belongs(lg) for lg in logs):
        raise RpcError("bad_response", "eth_getLogs returned logs outside the range asked")
    return logs
