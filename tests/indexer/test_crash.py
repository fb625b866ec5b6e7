"""kill -9 of the indexer process at random points of a backfill, several times, then a restart: the mirror ends
exactly equal to an uninterrupted run (the checkpoint commits with the rows it covers)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator

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


def indexer_process(settings: Settings, chain: PrivateChain) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": settings.database_url.get_secret_value(),  # type: ignore[union-attr]
        "RPC_URL": chain.url,
        "DEPLOYMENTS_DIR": str(chain.deployments_dir),
        "TERRA_DATA_DIR": str(settings.data_dir),
        "INDEXER_MAX_BLOCK_RANGE": "2",  # many small transactions: many places to die in
    }
    args = [sys.executable, "-m", "terra.commands.indexer", "run", "--until-head", "--no-websocket"]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


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
