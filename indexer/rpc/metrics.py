"""Prometheus metrics of the RPC layer. Labels carry a URL's index in RPC_URLS, never the URL (API keys)."""

from __future__ import annotations

from prometheus_client import Counter

RPC_ERRORS = Counter(
    "terra_indexer_rpc_errors_total",
    "JSON-RPC call failures by kind (each failed attempt, retried or not).",
    ["kind", "url_index"],
)
RPC_REQUESTS = Counter(
    "terra_indexer_rpc_requests_total",
    "JSON-RPC HTTP requests sent (a batch counts once).",
    ["method", "url_index"],
)
RPC_FAILOVERS = Counter(
    "terra_indexer_rpc_failovers_total",
    "Switches from one RPC URL to another (to_index is where calls go next).",
    ["to_index"],
)


def count_error(kind: str, url_index: int) -> None:
    RPC_ERRORS.labels(kind=kind, url_index=str(url_index)).inc()
