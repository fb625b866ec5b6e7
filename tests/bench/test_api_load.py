"""bench/api_load.py in a smoke mode (a second per route, a few connections, one worker): it starts `terra api`,
seeds, loads every route the app has and prints its figures; a route not merged yet is reported as skipped.
Nothing about speed is asserted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import api_load

ROUTES = {"projects": "/api/v1/projects", "projects/{id}": "/api/v1/projects/{id}", "portfolio": "/api/v1/portfolio"}


@pytest.fixture
def bench_server(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = make_url(database_url).set(drivername="postgresql", database="postgres")
    monkeypatch.setenv("DATABASE_URL", server.render_as_string(hide_password=False))
    yield


@pytest.mark.usefixtures("bench_server")
def test_api_load_bench_loads_every_route_there_is_and_prints_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--workers", "1", "--connections", "4", "--seconds", "1", "--warmup-seconds", "1"]
    result = api_load.main(args + ["--projects", "3", "--holdings", "2", "--output", str(tmp_path / "load.json")])
    printed = capsys.readouterr().out
    assert "1 uvicorn worker(s)" in printed and "requests/s" in printed
    for name in ("health", "users/me"):
        row = result["routes"][name]
        assert row["requests"] > 0 and row["non_2xx"] == 0 and row["requests_per_s"] > 0
        assert row["p50_ms"] <= row["p99_ms"]
    for name, path in ROUTES.items():
        loaded = name in result["routes"] and result["routes"][name]["non_2xx"] == 0
        skipped = any(re.sub(r"\{[^}]+\}", "{id}", line.split(":")[0]) == f"GET {path}" for line in result["skipped"])
        assert loaded != skipped, (name, result["routes"].get(name), result["skipped"])
    assert (tmp_path / "load.json").exists()


def test_wrk_output_is_read_into_figures() -> None:
    output = """Running 1s test @ http://127.0.0.1:8000/health
  1 threads and 4 connections
  Latency Distribution
     50%  812.00us
     75%    1.10ms
     90%    1.52ms
     99%   12.31ms
  1523 requests in 1.00s, 512.43KB read
  Non-2xx or 3xx responses: 7
Requests/sec:   1519.87
Transfer/sec:    511.24KB
"""
    figures = api_load.parse_wrk(output)
    assert figures == {
        "p50_ms": 0.81,
        "p90_ms": 1.52,
        "p99_ms": 12.31,
        "requests_per_s": 1519.9,
        "requests": 1523,
        "non_2xx": 7,
        "socket_errors": None,
    }
