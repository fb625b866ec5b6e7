"""kill -9 of the indexer process at random points of a backfill, in the middle of a live-follow batch and in the
middle of a reorg undo, then a restart: the mirror ends exactly equal to an uninterrupted run (the checkpoint commits
with the rows it covers). And the database dropping the indexer's connections mid-run costs a retry, not the run.

A kill "in the middle" is made certain, not hoped for: the test holds a row lock the batch (or the undo) needs half
way through its transaction, waits until the indexer's backend is seen waiting on it, and kills then."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, text

from core.chain.compiler import Build
from indexer.settings import IndexerSettings as Settings
from tests.indexer.mirror_state import balances_consistent, mirror_state
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    fill_blocks,
    indexer_settings,
    mine,
    reindex_all,
    reorg,
    start_private_chain,
    sync_until_head,
)

CHAIN_ID = 31337
KILLS = 5
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def busy_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        activity = Activity(chain, "crash")
        activity.setup()
        fill_blocks(chain, activity, blocks=60, txs_per_block=1, entries=64)  # ~7,700 events
        mine(chain.url, 70)  # all of it below anvil's `finalized`: a backfill by ranges
        yield chain
    finally:
        chain.anvil.stop()


APP_NAME = "terra-indexer-under-test"  # how the test finds the indexer's backends in pg_stat_activity


def indexer_process(
    settings: Settings, chain: PrivateChain, until_head: bool = True, stderr: Any = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": settings.database_url.get_secret_value(),  # type: ignore[union-attr]
        "RPC_URL": chain.url,
        "DEPLOYMENTS_DIR": str(chain.deployments_dir),
        "TERRA_DATA_DIR": str(settings.data_dir),
        "INDEXER_MAX_BLOCK_RANGE": "2",  # many small transactions: many places to die in
        "INDEXER_POLL_INTERVAL": "0.05",
        "PGAPPNAME": APP_NAME,
    }
    args = [sys.executable, "-m", "terra.commands.indexer", "run", "--no-websocket"]
    args += ["--until-head"] if until_head else []
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def indexed_block(engine: Engine) -> int:
    with engine.connect() as conn:
        value = conn.execute(text("SELECT block_number FROM chain_checkpoints WHERE chain_id = :c"), {"c": CHAIN_ID})
        return value.scalar() or -1


def kill_during_backfill(process: subprocess.Popen[bytes], engine: Engine, rng: random.Random) -> bool:
    """SIGKILL once the checkpoint moved a random number of blocks (plus a random instant inside the next batch)."""
    target = indexed_block(engine) + rng.randint(1, 12)
    deadline = time.monotonic() + 120
    while process.poll() is None and indexed_block(engine) < target and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.03))
    if process.poll() is not None:
        return False
    process.kill()
    process.wait()
    return True


def test_kill_9_at_random_points_of_a_backfill_then_restart_equals_a_clean_run(
    busy_chain: PrivateChain, database_url: str, clean_db: Engine
) -> None:
    settings = indexer_settings(database_url, busy_chain.url, busy_chain.deployments_dir)
    rng = random.Random(20261127)
    kills = 0
    for _ in range(KILLS):
        kills += kill_during_backfill(indexer_process(settings, busy_chain), clean_db, rng)
        assert balances_consistent(clean_db, CHAIN_ID) == []  # every commit left a whole state behind
    assert kills >= 3, "the backfill finished before the kills: make the chain busier"
    last = indexer_process(settings, busy_chain)
    _, stderr = last.communicate(timeout=300)
    assert last.returncode == 0, stderr.decode()
    after_crashes = mirror_state(clean_db, CHAIN_ID)

    with clean_db.begin() as conn:
        tables = [t for t in mirror_state(clean_db, CHAIN_ID)]
        conn.execute(text("TRUNCATE " + ", ".join(tables) + ", chain_blocks"))
    sync_until_head(settings, clean_db)  # uninterrupted, in-process
    assert mirror_state(clean_db, CHAIN_ID) == after_crashes
    assert len(after_crashes["chain_events"]) > 7_000


# ----- kills in the middle of a transaction, during live follow and during a reorg undo -------------------------


def indexed_hash(engine: Engine) -> str | None:
    with engine.connect() as conn:
        value = conn.execute(text("SELECT block_hash FROM chain_checkpoints WHERE chain_id = :c"), {"c": CHAIN_ID})
        return value.scalar()


def wait_for(condition: Any, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
        time.sleep(0.02)


def indexer_waits_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a AND wait_event_type = 'Lock'"),
            {"a": APP_NAME},
        )
        return bool(waiting.scalar())


@contextmanager
def rows_locked(engine: Engine, sql: str) -> Iterator[None]:
    """Hold row locks (`sql` is a SELECT … FOR UPDATE) until the block ends; then the transaction rolls back."""
    with engine.connect() as conn:
        conn.execute(text(sql), {"c": CHAIN_ID})
        try:
            yield
        finally:
            conn.rollback()


def kill(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()


def catch_up(settings: Settings, chain: PrivateChain, engine: Engine) -> None:
    """A last run to the head, as its own process (exit code 0), after which the mirror is compared."""
    last = indexer_process(settings, chain)
    _, stderr = last.communicate(timeout=300)
    assert last.returncode == 0, stderr.decode()
    assert indexed_hash(engine) == chain.head()["hash"]


def assert_equals_an_uninterrupted_run(settings: Settings, engine: Engine) -> None:
    interrupted = mirror_state(engine, CHAIN_ID)
    reindex_all(settings, engine)  # the same chain mirrored again from scratch, in one go
    assert mirror_state(engine, CHAIN_ID) == interrupted


def test_kill_9_in_the_middle_of_live_follow_batches_then_restart_equals_an_uninterrupted_run(
    busy_chain: PrivateChain, database_url: str, clean_db: Engine
) -> None:
    settings = indexer_settings(database_url, busy_chain.url, busy_chain.deployments_dir)
    sync_until_head(settings, clean_db)
    activity = Activity(busy_chain, "crash-follow")
    investors = busy_chain.investors
    rng = random.Random(20261201)
    for round_ in range(3):
        process = indexer_process(settings, busy_chain, until_head=False)
        wait_for(lambda: indexed_hash(clean_db) == busy_chain.head()["hash"], "the follower to catch up")
        # A mint to a holder the mirror knows: its batch writes the events, then waits on the balance row we hold.
        with rows_locked(clean_db, "SELECT 1 FROM chain_balances WHERE chain_id = :c FOR UPDATE"):
            activity.send(activity.mint(1 + round_ % 3, investors[round_ % 3].address, 1_000 + round_))
            wait_for(lambda: indexer_waits_on_a_lock(clean_db), "the follow batch to block half way")
            kill(process)
        assert balances_consistent(clean_db, CHAIN_ID) == []
        # And once more at a random instant of following a few blocks.
        process = indexer_process(settings, busy_chain, until_head=False)
        for tx in activity.mixed(3):
            activity.send(tx)
        time.sleep(rng.uniform(0, 0.5))
        kill(process)
        assert balances_consistent(clean_db, CHAIN_ID) == []
    catch_up(settings, busy_chain, clean_db)
    assert_equals_an_uninterrupted_run(settings, clean_db)


def test_kill_9_in_the_middle_of_a_reorg_undo_then_restart_equals_an_uninterrupted_run(
    busy_chain: PrivateChain, database_url: str, clean_db: Engine
) -> None:
    settings = indexer_settings(database_url, busy_chain.url, busy_chain.deployments_dir)
    activity = Activity(busy_chain, "crash-undo")
    for tx in activity.mixed(8):
        activity.send(tx)
    sync_until_head(settings, clean_db)
    replaced_from = int(busy_chain.head()["number"], 16) - 8 + 1
    before = mirror_state(clean_db, CHAIN_ID)

    process = indexer_process(settings, busy_chain, until_head=False)
    try:
        # The undo deletes the replaced blocks' events and moves balances back, then waits on the mint rows we hold.
        sql = f"SELECT 1 FROM chain_mints WHERE chain_id = :c AND block_number >= {replaced_from} FOR UPDATE"
        with rows_locked(clean_db, sql):
            reorg(busy_chain, 8, activity.mixed(9))
            wait_for(lambda: indexer_waits_on_a_lock(clean_db), "the reorg undo to block half way")
            kill(process)
    finally:
        if process.poll() is None:
            kill(process)
    wait_for(lambda: not indexer_waits_on_a_lock(clean_db), "the killed backend to roll back")
    assert mirror_state(clean_db, CHAIN_ID) == before  # the half-done undo left nothing behind
    catch_up(settings, busy_chain, clean_db)
    assert_equals_an_uninterrupted_run(settings, clean_db)


# ----- the database drops the indexer's connections --------------------------------------------------------


def test_database_connections_dropped_mid_run_are_retried_and_the_run_completes(
    busy_chain: PrivateChain, database_url: str, clean_db: Engine
) -> None:
    settings = indexer_settings(database_url, busy_chain.url, busy_chain.deployments_dir)
    log = tempfile.TemporaryFile()
    process = indexer_process(settings, busy_chain, stderr=log)  # a backfill of ~65 small batches, then follow
    drops = 0
    try:
        while process.poll() is None and drops < 6:
            reached = indexed_block(clean_db)
            wait_for(lambda r=reached: indexed_block(clean_db) > r or process.poll() is not None, "progress")
            with clean_db.connect() as conn:
                ended = conn.execute(
                    text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :a"),
                    {"a": APP_NAME},
                ).scalar()
            drops += bool(ended)
        process.wait(timeout=300)
    finally:
        if process.poll() is None:
            kill(process)
    log.seek(0)
    output = log.read().decode()
    assert process.returncode == 0, output[-3000:]
    assert drops >= 3, "the run ended before the connections were dropped: make the chain busier"
    assert "database_unavailable" in output  # a batch did lose its connection and was run again
    assert indexed_hash(clean_db) == busy_chain.head()["hash"]
    assert_equals_an_uninterrupted_run(settings, clean_db)
