"""The sync loop against a chain that moved while the indexer looked away or through a node that is behind: a tip
reorged away during a pause is undone before backfilling past it, a node behind the checkpoint is waited for (or
another used) and never undoes blocks, and the daily views stop counting undone events at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, text

from core.chain.compiler import Build
from indexer.rpc.client import RpcClient
from indexer.service import mirror_target, verify
from indexer.settings import IndexerSettings as Settings
from indexer.sync import ChainMirror, SyncOptions
from tests.indexer.fault_proxy import FaultProxy, ProxyConfig
from tests.indexer.mirror_state import balances_consistent, mirror_state
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    mine,
    reindex_all,
    reorg,
    start_private_chain,
    sync_until_head,
)

CHAIN_ID = 31337
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def private_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        activity = Activity(chain, "lag-setup")
        activity.setup()
        mine(chain.url, 150)  # longer than anvil's finality lag (64) and every reorg below
        yield chain
    finally:
        chain.anvil.stop()


def reorgs_undone() -> float:
    return REGISTRY.get_sample_value("terra_indexer_reorgs_total") or 0.0


def checkpoint(engine: Engine) -> tuple[int, str, int]:
    return mirror_state(engine, CHAIN_ID)["chain_checkpoints"][0]


def mirror(url: str | list[str], chain: PrivateChain, engine: Engine, refresh_views_every: float = 60.0) -> ChainMirror:
    source = RpcClient([url] if isinstance(url, str) else url, max_retries=2, backoff_base=0.01, backoff_max=0.05)
    sync = SyncOptions(poll_interval=0.05, refresh_views_every=refresh_views_every)
    return ChainMirror(source, engine, mirror_target(chain.deployment), sync)


def assert_equals_chain_and_a_fresh_reindex(settings: Settings, engine: Engine, chain: PrivateChain) -> None:
    assert checkpoint(engine)[:2] == (int(chain.head()["number"], 16), chain.head()["hash"])
    report = verify(settings, engine)
    assert report.ok, report.mismatches
    assert balances_consistent(engine, CHAIN_ID) == []
    followed = mirror_state(engine, CHAIN_ID)
    reindex_all(settings, engine)
    assert mirror_state(engine, CHAIN_ID) == followed


def test_a_tip_reorged_away_during_a_pause_is_undone_before_backfilling_past_it(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "pause")
    payer = private_chain.investors[4]
    activity.fund_payer(payer, 50_000_000)
    for tx in activity.mixed(3):
        activity.send(tx)
    payment, ref = activity.pay(payer, 1, 12_340_000)  # whole cents, above the $10 minimum
    activity.send(payment)
    sync_until_head(settings, clean_db)  # the indexer stops at a tip that is not final yet
    assert [(r[0], r[-1]) for r in mirror_state(clean_db, CHAIN_ID)["chain_payments"]] == [(ref, False)]

    reorg(private_chain, 4, activity.mixed(2))  # the payment's block and the three before it replaced
    mine(private_chain.url, 70)  # finality moves past the stored tip while the indexer is stopped
    sync_until_head(settings, clean_db)

    assert mirror_state(clean_db, CHAIN_ID)["chain_payments"] == []  # the orphaned payment is not kept, let alone final
    assert_equals_chain_and_a_fresh_reindex(settings, clean_db, private_chain)


def test_a_node_behind_the_checkpoint_is_waited_for_and_another_used_never_undone(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "lagging")
    for tx in activity.mixed(4):
        activity.send(tx)
    sync_until_head(settings, clean_db)
    before, undone = mirror_state(clean_db, CHAIN_ID), reorgs_undone()

    with FaultProxy(private_chain.url, config=ProxyConfig(lag_blocks=3)) as lagging:  # a primary still syncing
        mirror(lagging.url, private_chain, clean_db).run(threading.Event(), until_head=True)
        assert mirror_state(clean_db, CHAIN_ID) == before  # waited: nothing undone
        for tx in activity.mixed(2):
            activity.send(tx)
        # The primary is 3 behind the chain, 1 below the checkpoint: the other URL is used to follow on.
        mirror([lagging.url, private_chain.url], private_chain, clean_db).run(threading.Event(), until_head=True)
    assert reorgs_undone() == undone
    assert_equals_chain_and_a_fresh_reindex(settings, clean_db, private_chain)


def _total(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), {"c": CHAIN_ID}).scalar_one())


def view_totals(engine: Engine) -> tuple[int, int]:
    return (
        _total(engine, "SELECT coalesce(sum(mints), 0) FROM chain_mints_daily WHERE chain_id = :c"),
        _total(engine, "SELECT coalesce(sum(transfers), 0) FROM chain_transfers_daily WHERE chain_id = :c"),
    )


def series_totals(engine: Engine) -> tuple[int, int]:
    return (
        _total(engine, "SELECT count(*) FROM chain_mint_series WHERE chain_id = :c"),
        _total(engine, "SELECT count(*) FROM chain_transfer_series WHERE chain_id = :c"),
    )


def test_daily_views_stop_counting_undone_events_as_soon_as_the_reorg_is_undone(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "views")
    for tx in activity.mixed(4):
        activity.send(tx)
    sync_until_head(settings, clean_db)  # refreshes the views on its way out
    counted = view_totals(clean_db)
    assert counted == series_totals(clean_db)

    stop = threading.Event()
    running = mirror(private_chain.url, private_chain, clean_db, refresh_views_every=3600.0)
    worker = threading.Thread(target=running.run, args=(stop,), daemon=True)
    worker.start()
    try:
        reorg(private_chain, 4, [])  # the new branch holds none of our events
        head_hash = private_chain.head()["hash"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and checkpoint(clean_db)[1] != head_hash:
            time.sleep(0.05)
        assert checkpoint(clean_db)[1] == head_hash
        now = view_totals(clean_db)  # read while the indexer runs: no caught-up refresh has happened
    finally:
        stop.set()
        worker.join(30)
    assert now == series_totals(clean_db) and now < counted
