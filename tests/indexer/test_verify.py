"""`verify` against the chain at the indexed block, and the `terra indexer` commands around it."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from indexer.service import run_forever, verify
from ipfs.cid import compute_cid
from terra.commands.indexer import EXIT_MISMATCH, app
from terra.local.anvil import free_port
from tests.conftest import Chain
from tests.indexer.mirror_state import mirror_state
from tests.indexer.mirror_support import indexer_settings, mine, sync_until_head


@pytest.fixture
def indexed(
    chain: Chain,
    clean_db: Engine,
    database_url: str,
    admin,
    minter,
    investors,
    test_settings,
    monkeypatch: pytest.MonkeyPatch,
):
    """A few projects, mints and a transfer, mirrored; the environment points `terra indexer` at them."""
    own = chain.ownership
    a, b = investors[0], investors[1]
    for pid in (1, 2):
        transact(chain.w3, admin, own.functions.createProject(pid, 1_000_000, compute_cid(f"verify-{pid}".encode())))
    transact(chain.w3, admin, own.functions.setAllowedBatch([a.address, b.address], True))
    transact(
        chain.w3,
        minter,
        own.functions.mintInvestmentBatch(
            [1, 2, 1],
            [a.address, a.address, b.address],
            [500, 700, 300],
            [payment_ref(f"verify-{n}") for n in range(3)],
        ),
    )
    transact(chain.w3, a, own.functions.safeTransferFrom(a.address, b.address, 1, 50, b""))
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)
    sync_until_head(settings, clean_db)
    for name, value in (
        ("DATABASE_URL", database_url),
        ("RPC_URL", test_settings.rpc_url),
        ("DEPLOYMENTS_DIR", str(test_settings.deployments_path)),
        ("TERRA_DATA_DIR", str(settings.data_dir)),
    ):
        monkeypatch.setenv(name, value)
    return settings


def test_verify_is_clean_after_a_sync(indexed, clean_db: Engine) -> None:
    report = verify(indexed, clean_db)
    assert report.ok and report.balances_checked == 3 and report.projects_checked == 2


def test_verify_compares_at_the_indexed_block_not_the_head(
    indexed, chain: Chain, clean_db: Engine, minter, investors
) -> None:
    transact(
        chain.w3, minter, chain.ownership.functions.mintInvestment(1, investors[0].address, 9, payment_ref("later"))
    )
    assert verify(indexed, clean_db).ok  # the chain moved on; the mirror is right about its own block


def test_verify_lists_each_mismatch_and_exits_non_zero(indexed, clean_db: Engine, investors) -> None:
    holder = investors[1].address.lower()
    with clean_db.begin() as conn:
        conn.execute(
            text("UPDATE chain_balances SET balance = balance + 1 WHERE project_id = 1 AND holder = :h"),
            {"h": holder},
        )
        conn.execute(text("UPDATE chain_projects SET minted = minted + 1 WHERE project_id = 2"))
    report = verify(indexed, clean_db)
    assert sorted(str(m) for m in report.mismatches) == sorted(
        [
            f"balance: project 1 holder {holder}: indexed 351, expected 350",
            "sum of balances: project 1: indexed 801, expected 800",
            "total supply: project 2: indexed 701, expected 700",
            "sum of balances: project 2: indexed 700, expected 701",
        ]
    )
    result = CliRunner().invoke(app, ["verify"])
    assert result.exit_code == EXIT_MISMATCH
    assert f"balance: project 1 holder {holder}: indexed 351, expected 350" in result.output
    assert "4 mismatch(es)" in result.output


def test_the_mirror_after_a_freeze_and_a_clawback_equals_the_chain_and_verify_checks_it(
    indexed, chain: Chain, clean_db: Engine, admin, investors, treasury
) -> None:
    own, a, b = chain.ownership, investors[0].address, investors[1].address
    transact(chain.w3, admin, own.functions.setAllowed(treasury.address, True))
    transact(chain.w3, admin, own.functions.setFrozenTokens(a, 1, 400))  # a holds 450 of project 1
    transact(chain.w3, admin, own.functions.forcedTransfer(a, treasury.address, 1, 100))  # freeze drops to 350
    transact(chain.w3, admin, own.functions.setFrozenTokens(b, 1, 1_000))  # above b's 350: allowed
    sync_until_head(indexed, clean_db)
    with clean_db.connect() as conn:
        rows = conn.execute(text("SELECT project_id, account, amount FROM chain_frozen ORDER BY account")).all()
        forced = conn.execute(text("SELECT args FROM chain_events WHERE event_name = 'ForcedTransfer'")).scalars().all()
    on_chain = {(1, h.lower()): own.functions.getFrozenTokens(h, 1).call() for h in (a, b)}
    assert {(int(p), h): int(f) for p, h, f in rows} == on_chain == {(1, a.lower()): 350, (1, b.lower()): 1_000}
    assert forced == [{"from_": a.lower(), "to": treasury.address.lower(), "project_id": "1", "amount": "100"}]
    report = verify(indexed, clean_db)
    assert report.ok and report.frozen_checked == 2 and report.balances_checked == 4

    with clean_db.begin() as conn:
        conn.execute(text("UPDATE chain_frozen SET amount = amount + 1 WHERE account = :a"), {"a": a.lower()})
    report = verify(indexed, clean_db)
    assert [str(m) for m in report.mismatches] == [f"frozen: project 1 holder {a.lower()}: indexed 351, expected 350"]
    result = CliRunner().invoke(app, ["verify"])
    assert result.exit_code == EXIT_MISMATCH and "1 mismatch(es)" in result.output


def test_status_and_verify_commands(indexed) -> None:
    runner = CliRunner()
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    assert "lag        0 blocks" in status.output
    verified = runner.invoke(app, ["verify"])
    assert verified.exit_code == 0, verified.output
    assert "ok block" in verified.output


def test_reindex_from_a_block_below_finality_rewrites_the_same_state(
    chain: Chain,
    clean_db: Engine,
    database_url: str,
    admin,
    minter,
    investors,
    test_settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = chain.ownership
    transact(chain.w3, admin, own.functions.createProject(5, 10_000, compute_cid(b"reindex")))
    transact(chain.w3, admin, own.functions.setAllowedBatch([investors[0].address], True))
    receipt = transact(chain.w3, minter, own.functions.mintInvestment(5, investors[0].address, 42, payment_ref("ri")))
    mine(test_settings.rpc_url, 80)  # the mint is final now: reindexing it undoes final rows on purpose
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)
    sync_until_head(settings, clean_db)
    before = mirror_state(clean_db, 31337)
    for name, value in (
        ("DATABASE_URL", database_url),
        ("RPC_URL", test_settings.rpc_url),
        ("DEPLOYMENTS_DIR", str(test_settings.deployments_path)),
        ("TERRA_DATA_DIR", str(settings.data_dir)),
    ):
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["reindex", "--from-block", str(receipt["blockNumber"])])
    assert result.exit_code == 0, result.output
    assert mirror_state(clean_db, 31337) == before


def test_metrics_are_served_on_loopback(chain: Chain, clean_db: Engine, database_url: str, test_settings) -> None:
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)
    port = free_port()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_forever,
        args=(settings, stop),
        kwargs={"engine": clean_db, "metrics_port": port, "use_websocket": False},
        daemon=True,
    )
    worker.start()
    try:
        deadline, body = time.monotonic() + 30, ""
        while "terra_indexer_indexed_block" not in body and time.monotonic() < deadline:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                time.sleep(0.05)
    finally:
        stop.set()
        worker.join(30)
    for name in (
        "terra_indexer_head_block",
        "terra_indexer_finalized_block",
        "terra_indexer_lag_blocks",
        "terra_indexer_events_per_second",
        "terra_indexer_reorgs_total",
        "terra_indexer_reorg_depth_blocks",
        "terra_indexer_rpc_errors_total",
    ):
        assert name in body
