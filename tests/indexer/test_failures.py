"""The RPC client's pure rules: error kinds, Retry-After, backoff, what may be logged about a URL."""

from __future__ import annotations

import random

import pytest

from indexer.rpc.errors import UnknownBlock
from indexer.rpc.failures import RETRYABLE, backoff_delay, classify_rpc_error, error_text, host_of, retry_after_seconds


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ({"code": -32005, "message": "daily request count exceeded, request rate limited"}, "rate_limited"),
        ({"code": 429, "message": "Too Many Requests"}, "rate_limited"),
        (
            {"code": -32090, "message": "Too many requests, reason: call rate limit exhausted, retry in 10s"},
            "rate_limited",
        ),
        ({"code": -32000, "message": "unknown block"}, "unknown_block"),
        ({"code": -32000, "message": "header not found"}, "unknown_block"),
        ({"code": -32603, "message": "internal error"}, "rpc_error"),
        ("not even an object", "rpc_error"),
    ],
)
def test_json_rpc_errors_get_their_kind(error: object, kind: str) -> None:
    assert classify_rpc_error(error).kind == kind
    assert kind in RETRYABLE


def test_unknown_block_is_its_own_type() -> None:
    assert isinstance(classify_rpc_error({"code": -32000, "message": "unknown block"}), UnknownBlock)


def test_error_text_includes_string_data() -> None:
    error = {
        "code": -32602,
        "message": "invalid params",
        "data": {"error_id": "4ed9", "payload": "range 9009594 is bigger than range limit 2000"},
    }
    assert "range limit 2000" in error_text(error)
    assert error_text({"message": "m", "data": "d"}) == "m; d"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412500.0) == 0.0


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(0)
    for attempt in range(10):
        nominal = min(4.0, 0.5 * 2**attempt)
        assert 0.5 * nominal <= backoff_delay(attempt, 0.5, 4.0, rng.random(), None, 30.0) <= 1.5 * nominal


def test_retry_after_is_a_floor_capped_at_its_maximum() -> None:
    assert backoff_delay(0, 0.1, 1.0, 0.0, 5.0, 30.0) == 5.0
    assert backoff_delay(0, 0.1, 1.0, 0.0, 120.0, 30.0) == 30.0


def test_host_of_drops_path_and_query() -> None:
    assert host_of("https://polygon-mainnet.infura.io/v3/abc123?x=1") == "polygon-mainnet.infura.io"
    assert host_of("http://127.0.0.1:8545/key") == "127.0.0.1:8545"
    assert host_of("https://user:secret@rpc.example.org/") == "rpc.example.org"
