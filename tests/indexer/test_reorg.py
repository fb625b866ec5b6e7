"""Reorgs injected with anvil_reorg / anvil_rollback while following: the mirror ends equal to the chain (verify)
and to a fresh reindex; a reorg below finality halts with both hashes named and nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from core.chain.compiler import Build
from indexer.errors import ReorgBeyondFinality
from indexer.service import run_forever, verify
from indexer.settings import IndexerSettings as Settings
from tests.indexer.mirror_state import balances_consistent, mirror_state
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    mine,
    reindex_all,
    reorg,
    rpc,
    start_private_chain,
    sync_until_head,
)

CHAIN_ID = 31337
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def private_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        activity = Activity(chain, "reorg-setup")
        activity.setup()
        for tx in activity.mixed(12):
            activity.send(tx)
        mine(chain.url, 150)  # longer than 64 + the deepest reorg: every reorg below stays above anvil's `finalized`
        yield chain
    finally:
        chain.anvil.stop()


def reorg_depths() -> tuple[float, float]:
    """(reorgs seen, blocks undone) so far, from the indexer's metrics."""
    count = REGISTRY.get_sample_value("terra_indexer_reorg_depth_blocks_count") or 0.0
    return count, REGISTRY.get_sample_value("terra_indexer_reorg_depth_blocks_sum") or 0.0


def assert_mirror_matches_chain(
    settings: Settings, engine: Engine, chain: PrivateChain, without: tuple[str, ...] = ()
) -> None:
    checkpoint = mirror_state(engine, CHAIN_ID)["chain_checkpoints"]
    assert checkpoint[0][:2] == (int(chain.head()["number"], 16), chain.head()["hash"])
    report = verify(settings, engine)
    assert report.ok, report.mismatches
    assert report.balances_checked > 0
    assert balances_consistent(engine, CHAIN_ID) == []
    followed = mirror_state(engine, CHAIN_ID, without)
    reindex_all(settings, engine)
    assert mirror_state(engine, CHAIN_ID, without) == followed


@pytest.mark.parametrize("depth", [1, 2, 5, 20, 64])
def test_reorg_while_following_ends_equal_to_chain_and_to_a_fresh_reindex(
    depth: int, private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, f"reorg-{depth}")
    for tx in activity.mixed(min(depth, 8)):  # the blocks about to be replaced carry events
        activity.send(tx)
    sync_until_head(settings, clean_db)
    replaced = mirror_state(clean_db, CHAIN_ID)
    undone_before = reorg_depths()

    reorg(private_chain, depth, activity.mixed(min(depth, 8) + 1))  # another branch: other mints and transfers
    sync_until_head(settings, clean_db)

    assert reorg_depths() == (undone_before[0] + 1, undone_before[1] + depth)  # one reorg, exactly `depth` deep
    assert mirror_state(clean_db, CHAIN_ID)["chain_events"] != replaced["chain_events"]
    assert_mirror_matches_chain(settings, clean_db, private_chain)


def test_a_reorg_undoes_a_freeze_and_a_clawback(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "freeze")
    holder, treasury = private_chain.investors[0].address, private_chain.treasury.address
    activity.send(activity.allow(treasury))
    sync_until_head(settings, clean_db)
    kept = mirror_state(clean_db, CHAIN_ID)["chain_frozen"]
    activity.send(activity.freeze(holder, 1, 10**15))  # more than it holds
    activity.send(activity.force(holder, treasury, 1, 100))  # lowers the freeze to what is left
    sync_until_head(settings, clean_db)
    frozen = mirror_state(clean_db, CHAIN_ID)["chain_frozen"]
    left = private_chain.contracts.ownership.functions.balanceOf(holder, 1).call()
    assert [(int(p), a, int(f)) for p, a, f, *_ in frozen if a == holder.lower()] == [(1, holder.lower(), left)]

    reorg(private_chain, 2, activity.mixed(2))  # the new branch has neither
    sync_until_head(settings, clean_db)
    assert private_chain.contracts.ownership.functions.getFrozenTokens(holder, 1).call() == 0
    assert mirror_state(clean_db, CHAIN_ID)["chain_frozen"] == kept
    assert_mirror_matches_chain(settings, clean_db, private_chain)


def test_rollback_then_new_blocks_is_followed(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "rollback")
    for tx in activity.mixed(4):
        activity.send(tx)
    sync_until_head(settings, clean_db)
    held = mirror_state(clean_db, CHAIN_ID)
    rpc(private_chain.url, "anvil_rollback", [3])
    # A head below the checkpoint whose hash the mirror holds proves nothing (a node still syncing looks the same):
    # the mirror waits and keeps its blocks.
    sync_until_head(settings, clean_db)
    assert mirror_state(clean_db, CHAIN_ID) == held
    for tx in activity.mixed(2):  # new blocks at heights the mirror holds: now the mismatch is proven
        activity.send(tx)
    sync_until_head(settings, clean_db)
    # anvil's `finalized` tag went back 3 blocks too; the mirror keeps what it already held as final (finality never
    # goes back), a fresh reindex takes the tag as it is now: compare without finality.
    without_finality = ("final", "finalized_block")
    assert_mirror_matches_chain(settings, clean_db, private_chain, without_finality)
    for tx in activity.mixed(2):
        activity.send(tx)
    sync_until_head(settings, clean_db)
    assert_mirror_matches_chain(settings, clean_db, private_chain, without_finality)


def test_reorg_injected_under_a_running_indexer_is_undone_and_reapplied(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "live")
    sync_until_head(settings, clean_db)
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(settings, stop), kwargs={"engine": clean_db}, daemon=True)
    worker.start()
    try:
        for tx in activity.mixed(5):
            activity.send(tx)
        reorg(private_chain, 5, activity.mixed(6))
        head_hash = private_chain.head()["hash"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and mirror_state(clean_db, CHAIN_ID)["chain_checkpoints"][0][1] != head_hash:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    assert_mirror_matches_chain(settings, clean_db, private_chain)


def test_reorg_deeper_than_finality_halts_with_clear_error(
    private_chain: PrivateChain, settings: Settings, clean_db: Engine
) -> None:
    activity = Activity(private_chain, "too-deep")
    sync_until_head(settings, clean_db)
    before = mirror_state(clean_db, CHAIN_ID)
    finalized = before["chain_checkpoints"][0][2]
    head = int(private_chain.head()["number"], 16)
    old_hash = rpc(private_chain.url, "eth_getBlockByNumber", [hex(finalized), False])["hash"]

    reorg(private_chain, head - finalized + 5, activity.mixed(2))  # forks 5 blocks below the finalized block
    new_hash = rpc(private_chain.url, "eth_getBlockByNumber", [hex(finalized), False])["hash"]
    assert new_hash != old_hash

    with pytest.raises(ReorgBeyondFinality) as halted:
        sync_until_head(settings, clean_db)
    assert halted.value.block_number == finalized
    assert old_hash in str(halted.value) and new_hash in str(halted.value)
    assert mirror_state(clean_db, CHAIN_ID) == before  # nothing undone, nothing written

    env = os.environ | {
        "DATABASE_URL": settings.database_url.get_secret_value(),  # type: ignore[union-attr]
        "RPC_URL": private_chain.url,
        "DEPLOYMENTS_DIR": str(private_chain.deployments_dir),
        "TERRA_DATA_DIR": str(settings.data_dir),
    }
    cli = subprocess.run(
        [sys.executable, "-m", "terra.commands.indexer", "run", "--until-head"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == ReorgBeyondFinality.exit_code == 3, cli.stderr
    assert "reorg deeper than finality" in cli.stderr and old_hash in cli.stderr and new_hash in cli.stderr
    assert mirror_state(clean_db, CHAIN_ID) == before
