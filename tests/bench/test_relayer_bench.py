"""The relayer benchmarks run end to end in a smoke mode (a handful of investments and requests), so that they keep
working as the relayer changes. What they measure is printed, never asserted: only that every investment was
minted and every request stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import relayer_gas, relayer_intake, relayer_mints, relayer_outbox


@pytest.fixture
def bench_server(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The benches make (and drop) databases of their own on the test session's PostgreSQL server."""
    server = make_url(database_url).set(drivername="postgresql", database="postgres")
    monkeypatch.setenv("DATABASE_URL", server.render_as_string(hide_password=False))
    yield


@pytest.mark.usefixtures("bench_server")
def test_gas_bench_mints_exactly_the_batch_sizes_asked(tmp_path: Path) -> None:
    rows = relayer_gas.main(["--sizes", "1,3", "--output", str(tmp_path / "gas.json")])
    assert [r["batch_size"] for r in rows] == [1, 3]
    assert all(r["gas_per_mint_new_holders"] > r["gas_per_mint_returning_holders"] > 0 for r in rows)
    assert (tmp_path / "gas.json").exists()


@pytest.mark.usefixtures("bench_server")
def test_intake_bench_stores_every_distinct_event_once(tmp_path: Path) -> None:
    result = relayer_intake.main(
        ["--requests", "40", "--concurrency", "4", "--clients", "1", "--output", str(tmp_path / "intake.json")]
    )
    assert result["new_events"]["statuses"] == {"200": 40}
    assert result["replays"]["statuses"] == {"200": 40}
    assert result["events_stored"] == 40


@pytest.mark.slow
@pytest.mark.usefixtures("bench_server")
def test_mints_bench_sees_every_investment_minted_single_and_batched(tmp_path: Path) -> None:
    args = ["--batch-sizes", "1,5", "--investments", "8", "--single-investments", "3"]
    args += ["--rate", "4", "--seconds", "1", "--poll-interval", "0.2", "--output", str(tmp_path / "mints.json")]
    results = relayer_mints.main(args)
    assert [r["batch_size"] for r in results] == [1, 5]
    assert [r["burst"]["investments"] for r in results] == [3, 8]
    for r in results:
        assert sum(int(k) * v for k, v in r["batch_sizes"].items()) == r["burst"]["investments"] + 4
        assert max(int(k) for k in r["batch_sizes"]) <= r["batch_size"]


@pytest.mark.usefixtures("bench_server")
def test_outbox_bench_mints_every_confirmed_payment_in_batches(tmp_path: Path) -> None:
    [row] = relayer_outbox.main(
        ["--batch-sizes", "10", "--investments", "25", "--users", "3", "--output", str(tmp_path / "outbox.json")]
    )
    assert row["investments"] == 25 and row["batch_sizes"] == {"10": 2, "5": 1}
