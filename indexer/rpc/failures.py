"""Pure rules of the RPC client: what a failure means, whether to retry, how long to wait, what may be logged."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from indexer.rpc.errors import RpcError, UnknownBlock

# Errors worth another attempt on the same URL; http_4xx (auth, forbidden...) goes straight to the next URL.
RETRYABLE = {
    "rate_limited",
    "http_5xx",
    "timeout",
    "connection",
    "rpc_error",
    "bad_response",
    "null_result",
    "unknown_block",
}
_RATE_WORDS = (
    "rate limit",
    "too many requests",
    "request rate",
    "request count",
    "exceeded the quota",
    "capacity",
    "throughput",
)
_UNKNOWN_BLOCK_WORDS = ("unknown block", "block not found", "header not found", "cannot find block")


def host_of(url: str) -> str:
    """What may be logged about a URL: host and port, never path or query (where API keys live)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or HTTP date) in seconds; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def classify_rpc_error(error: Any) -> RpcError:
    """A JSON-RPC `error` object -> RpcError with its kind (range limits are recognized by the caller)."""
    code = error.get("code") if isinstance(error, dict) else None
    message = error_text(error)
    text = message.lower()
    if code == 429 or code == -32090 or any(w in text for w in _RATE_WORDS):
        return RpcError("rate_limited", message, code)
    if any(w in text for w in _UNKNOWN_BLOCK_WORDS):
        return UnknownBlock(message, code)
    return RpcError("rpc_error", message, code)


def error_text(error: Any) -> str:
    """Message plus string parts of `data`: some providers (Tenderly) put the useful text there."""
    if not isinstance(error, dict):
        return str(error)
    parts = [str(error.get("message", ""))]
    data = error.get("data")
    if isinstance(data, str):
        parts.append(data)
    elif isinstance(data, dict):
        parts += [str(v) for v in data.values() if isinstance(v, str)]
    return "; ".join(p for p in parts if p)


def backoff_delay(
    attempt: int, base: float, cap: float, jitter_roll: float, retry_after: float | None, retry_after_max: float
) -> float:
    """Exponential backoff with jitter (x0.5..x1.5 for `jitter_roll` in [0, 1)), capped; a server's Retry-After
    (itself capped at `retry_after_max`) is a floor."""
    delay: float = min(cap, base * 2.0**attempt) * (0.5 + jitter_roll)
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry_after_max))
    return delay
