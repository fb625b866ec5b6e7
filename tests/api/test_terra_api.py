"""`terra api` for real: uvicorn on 127.0.0.1 with one or several workers, JSON log lines carrying request ids and
never a password, token or key, metrics merged across workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import Engine

from terra.local.anvil import free_port
from tests.api.conftest import STRONG_PASSWORD, TEST_JWT_KEY


@contextmanager
def terra_api(database_url: str, *args: str) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("API_", "PROMETHEUS_"))}
    env |= {"DATABASE_URL": database_url, "API_PORT": str(port), "API_JWT_SECRET": TEST_JWT_KEY, "LOG_JSON": "true"}
    env |= {"API_READY_MAX_INDEX_AGE_SECONDS": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "terra.cli", "api", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    log: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        yield base, log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
        log.extend(err.splitlines())


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_terra_api_serves_over_http_and_logs_json_with_request_ids_and_no_secrets(
    database_url: str, clean_db: Engine
) -> None:
    with terra_api(database_url) as (base, log):
        email = "json-logs@example.org"
        reg = httpx.post(
            f"{base}/api/v1/users/register",
            json={"email": email, "password": STRONG_PASSWORD, "country": "DE"},
            timeout=30,
        )
        assert reg.status_code == 201, reg.text
        tokens = httpx.post(
            f"{base}/api/v1/users/login", json={"email": email, "password": STRONG_PASSWORD}, timeout=30
        ).json()["data"]
        me = httpx.get(f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.json()["data"]["email"] == email
        request_id = me.headers["x-request-id"]
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "Terra Lumina API"
    records = json_lines(log)
    requests = [r for r in records if r.get("event") == "request"]
    assert any(
        r["request_id"] == request_id and r["route"] == "/api/v1/users/me" and r["status"] == 200 for r in requests
    )
    assert all({"timestamp", "level", "request_id", "duration_ms"} <= set(r) for r in requests)
    everything = "\n".join(log)
    for secret in (STRONG_PASSWORD, tokens["access_token"], tokens["refresh_token"], TEST_JWT_KEY):
        assert secret not in everything


def test_terra_api_with_two_workers_merges_their_metrics(database_url: str, clean_db: Engine) -> None:
    with terra_api(database_url, "--workers", "2") as (base, _log):
        with httpx.Client() as client:  # new connections: the kernel spreads them over both workers
            for _ in range(10):
                assert httpx.get(f"{base}/health", timeout=10).status_code == 200
            text = client.get(f"{base}/metrics", timeout=10).text
    line = next(
        x for x in text.splitlines() if x.startswith('terralumina_http_requests_total{method="GET",route="/health"')
    )
    assert line.endswith(" 10.0"), line
