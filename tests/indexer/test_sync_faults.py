"""The sync loop through a fault-injecting RPC proxy (429s, 500s, timeouts, range-limit refusals, an empty
eth_getLogs for the newest block): the mirror has no gap and no duplicate, and equals a run without faults."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, text

from core.chain.compiler import Build
from indexer.rpc.client import RpcClient
from indexer.service import mirror_target
from indexer.sync import ChainMirror, SyncOptions
from tests.indexer.fault_proxy import FaultProxy, Faults, ProxyConfig
from tests.indexer.mirror_state import mirror_state
from tests.indexer.mirror_support import (
    Activity,
    PrivateChain,
    chain_logs,
    mine,
    mirrored_logs,
    rpc,
    start_private_chain,
)

CHAIN_ID = 31337
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def faulty_chain(build: Build) -> Iterator[PrivateChain]:
    chain = start_private_chain(build)
    try:
        activity = Activity(chain, "faults")
        activity.setup()
        for tx in activity.mixed(16):
            activity.send(tx)
        mine(chain.url, 80)
        yield chain
    finally:
        chain.anvil.stop()


def mirror_through(url: str, chain: PrivateChain, engine: Engine, timeout: float = 10.0) -> ChainMirror:
    source = RpcClient([url], timeout=timeout, max_retries=10, backoff_base=0.01, backoff_max=0.1)
    return ChainMirror(
        source, engine, mirror_target(chain.deployment), SyncOptions(poll_interval=0.01, max_block_range=50)
    )


def empty_retries() -> float:
    return REGISTRY.get_sample_value("terra_indexer_empty_logs_retries_total") or 0.0


def test_faulty_rpc_leaves_no_gap_and_no_duplicate(faulty_chain: PrivateChain, clean_db: Engine) -> None:
    config = ProxyConfig(
        faults={"*": Faults(p429=0.05, p500=0.05, ptimeout=0.02)},
        timeout_hold=1.0,
        max_log_span=7,
        range_style="infura",
        empty_head_logs=True,
    )
    activity = Activity(faulty_chain, "faults-live")
    retries_before = empty_retries()
    with FaultProxy(faulty_chain.url, seed=3, config=config) as proxy:
        mirror = mirror_through(proxy.url, faulty_chain, clean_db, timeout=0.5)
        mirror.run(threading.Event(), until_head=True)  # backfill by ranges, through refusals and faults
        for tx in activity.mixed(6):  # then follow: each newest block first answers no logs
            activity.send(tx)
            mirror.run(threading.Event(), until_head=True)
    assert {k: proxy.counters[k] > 0 for k in ("429", "500", "timeout", "range_limit", "empty_head_logs")} == {
        "429": True,
        "500": True,
        "timeout": True,
        "range_limit": True,
        "empty_head_logs": True,
    }
    assert empty_retries() > retries_before

    addresses = list(mirror_target(faulty_chain.deployment).addresses)
    assert mirrored_logs(clean_db, CHAIN_ID) == chain_logs(faulty_chain.url, addresses)  # exactly: no gap, no dup
    through_faults = mirror_state(clean_db, CHAIN_ID)

    with clean_db.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(through_faults) + ", chain_blocks"))
    mirror_through(faulty_chain.url, faulty_chain, clean_db).run(threading.Event(), until_head=True)
    assert mirror_state(clean_db, CHAIN_ID) == through_faults
    assert rpc(faulty_chain.url, "eth_blockNumber", []) == hex(through_faults["chain_checkpoints"][0][0])
