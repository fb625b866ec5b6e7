"""What the RPC layer raises. Messages name hosts at most: URLs can carry API keys."""

from __future__ import annotations

from indexer.rpc.limits import RangeAdvice


class RpcError(Exception):
    """A failed JSON-RPC call. `kind` is the metric label: rate_limited, http_5xx, http_4xx, timeout, connection,
    rpc_error, bad_response, null_result, range_limit, unknown_block, unavailable, behind."""

    def __init__(self, kind: str, message: str = "", code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind = kind
        self.message = message
        self.code = code
        self.retry_after = retry_after  # seconds the server asked us to wait (HTTP 429 Retry-After)


class RangeTooLarge(RpcError):
    """eth_getLogs over [from_block, to_block] was refused as too wide; `advice` holds what the provider suggested."""

    def __init__(
        self, advice: RangeAdvice, from_block: int, to_block: int, message: str = "", code: int | None = None
    ) -> None:
        super().__init__("range_limit", message, code)
        self.advice = advice
        self.from_block = from_block
        self.to_block = to_block


class UnknownBlock(RpcError):
    """No RPC URL knows the block (by hash): it was likely reorged away."""

    def __init__(self, message: str = "", code: int | None = None) -> None:
        super().__init__("unknown_block", message, code)


class RpcUnavailable(RpcError):
    """Every URL failed after its retries; `last` is the final underlying error."""

    def __init__(self, message: str, last: RpcError | None = None) -> None:
        super().__init__("unavailable", message, last.code if last else None)
        self.last = last


class NodesBehind(RpcError):
    """No usable RPC URL has reached the block asked for yet (restarted, still syncing, or a lagging backend): the
    caller waits and asks again. Never evidence of a reorg."""

    def __init__(self, message: str = "") -> None:
        super().__init__("behind", message)
