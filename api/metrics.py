"""Prometheus metrics of the API: requests by route template and status, latency, and the seed's investment
metrics (defined here so that the investments endpoints only count)."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter(
    "terralumina_http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "terralumina_http_request_duration_seconds",
    "Time from receiving a request to the end of its answer.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMITED = Counter("terralumina_rate_limited_total", "Requests refused with 429, by tier.", ["tier"])
RATE_LIMIT_UNCHECKED = Counter(
    "terralumina_rate_limit_unchecked_total",
    "Requests let through unchecked because the rate-limit storage (Redis) failed (fail-open).",
)
# The seed's "Observability Stack" metrics, counted by the investments endpoints.
INVESTMENTS = Counter("terralumina_investments_total", "Total number of investments", ["project_id", "payment_method"])
INVESTMENT_AMOUNT = Histogram(
    "terralumina_investment_amount_dollars",
    "Investment amount distribution",
    buckets=(10, 50, 100, 500, 1000, 5000, 10000),
)

UNMATCHED_ROUTE = "unmatched"  # every path no route matched shares one label (no label per scanner's guess)


def render() -> tuple[bytes, str]:
    """The exposition text: this process's registry, or every worker's when `terra api --workers N` set up
    prometheus_client's multiprocess directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
