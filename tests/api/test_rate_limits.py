"""Rate limits: the seed's tiers (public per client IP, authenticated and premium per user), 429 RATE_LIMITED with
Retry-After and X-RateLimit-* on every limited answer, /health /ready /metrics never limited; on the real Redis
(REDIS_URL; keys under a prefix of the test's own, shared by two app instances as by two workers) and in memory;
fail-open when Redis cannot be reached."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from api.accounts.roles import ADMIN, PREMIUM
from api.app import create_app
from core.settings import InvalidSettings
from tests.api.conftest import Api, api_settings, bearer
from tests.api.test_conventions import assert_error

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once
LIMITED = "/openapi.json"  # any route but the probes is limited; this one needs no data


def limited_client(engine: Engine, client: tuple[str, int] = ("203.0.113.7", 50000), **overrides: Any) -> TestClient:
    values: dict[str, Any] = {"api_rate_limits_enabled": True} | overrides
    return TestClient(create_app(api_settings(**values), engine=engine), base_url="https://testserver", client=client)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the real Redis, its keys deleted afterwards."""
    prefix = f"terra-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_public_callers_get_the_limit_then_429_with_retry_after(clean_db: Engine) -> None:
    with limited_client(clean_db, api_rate_limit_public="3/minute") as client:
        answers = [client.get(LIMITED) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert all(a.headers["X-RateLimit-Limit"] == "3" for a in answers)
    body = assert_error(answers[3], 429, "RATE_LIMITED")
    retry = int(answers[3].headers["Retry-After"])
    assert 1 <= retry <= 60
    assert body["error"]["details"] == {"tier": "public", "limit": 3, "retry_after_seconds": retry}
    assert answers[3].headers["X-RateLimit-Remaining"] == "0"
    assert time.time() < int(answers[3].headers["X-RateLimit-Reset"]) <= time.time() + 61


def test_probes_are_never_limited(clean_db: Engine) -> None:
    with limited_client(clean_db, api_rate_limit_public="1/minute") as client:
        assert client.get(LIMITED).status_code == 200
        assert client.get(LIMITED).status_code == 429
        for path in ("/health", "/ready", "/metrics") * 3:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert "X-RateLimit-Limit" not in answer.headers


def test_each_client_ip_has_its_own_public_bucket(clean_db: Engine) -> None:
    with limited_client(clean_db, ("198.51.100.1", 1), api_rate_limit_public="1/minute") as first:
        assert first.get(LIMITED).status_code == 200
        assert first.get(LIMITED).status_code == 429
    with limited_client(clean_db, ("198.51.100.2", 1), api_rate_limit_public="1/minute") as second:
        assert second.get(LIMITED).status_code == 200


def test_signed_in_users_count_per_user_not_per_ip(api: Api, clean_db: Engine) -> None:
    _, alice = api.user_with_token()
    _, bob = api.user_with_token()
    tiers = {"api_rate_limit_public": "1/minute", "api_rate_limit_authenticated": "2/minute"}
    with limited_client(clean_db, **tiers) as client:
        assert client.get(LIMITED).status_code == 200
        assert client.get(LIMITED).status_code == 429  # the IP's public bucket is empty...
        mine = [client.get("/api/v1/users/me", headers=bearer(alice)) for _ in range(3)]
        theirs = client.get("/api/v1/users/me", headers=bearer(bob))
    assert [a.status_code for a in mine] == [200, 200, 429]  # ...a user has a bucket of their own
    assert mine[0].headers["X-RateLimit-Limit"] == "2"
    assert mine[2].json()["error"]["details"]["tier"] == "authenticated"
    assert theirs.status_code == 200


def test_an_invalid_token_counts_as_public(api: Api, clean_db: Engine) -> None:
    _, token = api.user_with_token()
    tiers = {"api_rate_limit_public": "1/minute", "api_rate_limit_authenticated": "5/minute"}
    with limited_client(clean_db, **tiers) as client:
        assert client.get(LIMITED, headers=bearer(token[:-2] + "xx")).status_code == 200
        refused = client.get(LIMITED, headers=bearer("not-a-jwt"))
    assert_error(refused, 429, "RATE_LIMITED")
    assert refused.json()["error"]["details"]["tier"] == "public"


@pytest.mark.parametrize("role", [PREMIUM, ADMIN])
def test_premium_role_gets_the_premium_limit(api: Api, clean_db: Engine, role: str) -> None:
    user, token = api.user_with_token()
    api.grant(user["id"], role)
    tiers = {"api_rate_limit_authenticated": "2/minute", "api_rate_limit_premium": "7/minute"}
    with limited_client(clean_db, **tiers) as client:
        answer = client.get("/api/v1/users/me", headers=bearer(token))
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Limit"] == "7"


def test_cookie_sessions_count_as_their_user(api: Api, clean_db: Engine) -> None:
    user = api.register()
    assert api.login(user["email"], mode="cookie").status_code == 200
    cookies = dict(api.client.cookies)
    tiers = {"api_rate_limit_public": "1/minute", "api_rate_limit_authenticated": "4/minute"}
    with limited_client(clean_db, **tiers) as client:
        client.cookies.update(cookies)
        answer = client.get("/api/v1/users/me")
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-RateLimit-Limit"] == "4"


def test_redis_counts_are_shared_by_every_app_instance(clean_db: Engine, redis_prefix: str) -> None:
    overrides = {"redis_url": REDIS_URL, "api_rate_limit_key_prefix": redis_prefix, "api_rate_limit_public": "3/hour"}
    with limited_client(clean_db, **overrides) as worker_a, limited_client(clean_db, **overrides) as worker_b:
        assert [worker_a.get(LIMITED).status_code for _ in range(2)] == [200, 200]
        assert worker_b.get(LIMITED).headers["X-RateLimit-Remaining"] == "0"
        assert_error(worker_a.get(LIMITED), 429, "RATE_LIMITED")
        assert_error(worker_b.get(LIMITED), 429, "RATE_LIMITED")
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*"))
    assert keys, "the counts live in Redis under the configured prefix"


def test_redis_unreachable_fails_open_logged_and_counted(clean_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    overrides = {"redis_url": UNREACHABLE_REDIS, "api_rate_limit_public": "1/hour"}
    with limited_client(clean_db, **overrides) as client:
        answers = [client.get(LIMITED) for _ in range(3)]
        metrics = client.get("/metrics").text
    assert [a.status_code for a in answers] == [200, 200, 200]  # past the limit: nothing could be counted
    assert all("X-RateLimit-Limit" not in a.headers for a in answers)
    assert "rate_limit_storage_unavailable" in capsys.readouterr().err
    unchecked = [line for line in metrics.splitlines() if line.startswith("terralumina_rate_limit_unchecked_total")]
    assert unchecked and float(unchecked[0].split()[-1]) >= 3


def test_limits_off_adds_no_headers(api: Api) -> None:
    answer = api.client.get(LIMITED)
    assert answer.status_code == 200 and "X-RateLimit-Limit" not in answer.headers


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 5), requests=st.integers(1, 9))
def test_exactly_the_limit_is_served_and_remaining_counts_down(clean_db: Engine, limit: int, requests: int) -> None:
    caller = (f"192.0.2.{uuid.uuid4().int % 250}", 1)
    with limited_client(clean_db, caller, api_rate_limit_public=f"{limit}/hour") as client:
        answers = [client.get(LIMITED) for _ in range(requests)]
    codes = [a.status_code for a in answers]
    assert codes == [200] * min(limit, requests) + [429] * max(0, requests - limit)
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers]
    assert remaining == [max(0, limit - i - 1) for i in range(requests)]


@pytest.mark.parametrize(
    "variable", ["api_rate_limit_public", "api_rate_limit_authenticated", "api_rate_limit_premium"]
)
def test_a_tier_that_is_not_a_limit_string_is_refused_naming_it(variable: str) -> None:
    with pytest.raises(InvalidSettings, match=f"{variable.upper()}: not a rate limit"):
        api_settings(**{variable: "lots per day"})


def test_an_expired_token_counts_as_public_even_after_it_was_seen_valid(api: Api, clean_db: Engine) -> None:
    """Verified tokens are remembered only until their `exp`."""
    from datetime import UTC, datetime, timedelta

    from api.accounts.tokens import issue_access_token
    from tests.api.conftest import TEST_JWT_KEY

    user = api.register()
    now = datetime.now(UTC)
    token = issue_access_token(
        TEST_JWT_KEY,
        user_id=uuid.UUID(user["id"]),
        family_id=uuid.uuid4(),
        now=now - timedelta(seconds=58),
        lifetime=timedelta(seconds=60),
    )
    tiers = {"api_rate_limit_public": "1/minute", "api_rate_limit_authenticated": "50/minute"}
    with limited_client(clean_db, **tiers) as client:
        assert client.get(LIMITED, headers=bearer(token)).headers["X-RateLimit-Limit"] == "50"
        time.sleep(3)
        assert client.get(LIMITED, headers=bearer(token)).headers["X-RateLimit-Limit"] == "1"


@pytest.mark.parametrize("strategy", ["fixed-window", "moving-window", "sliding-window-counter"])
def test_every_strategy_limits_and_strategies_share_one_redis(
    clean_db: Engine, redis_prefix: str, strategy: str
) -> None:
    shared = {"redis_url": REDIS_URL, "api_rate_limit_key_prefix": redis_prefix, "api_rate_limit_public": "2/hour"}
    with limited_client(clean_db, **shared, api_rate_limit_strategy="moving-window") as other:
        other.get(LIMITED)  # another strategy's keys on the same Redis, same caller
    with limited_client(clean_db, **shared, api_rate_limit_strategy=strategy) as client:
        codes = [client.get(LIMITED).status_code for _ in range(3)]
    assert codes[2] == 429 and codes[0] == 200
