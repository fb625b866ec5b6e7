"""Backfill and follow on a real anvil into a real PostgreSQL: every event mirrored, the state equal to the chain."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, text

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, load_abi
from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from indexer.service import run_forever
from ipfs.cid import compute_cid
from tests.conftest import Chain
from tests.indexer.mirror_state import balances_consistent
from tests.indexer.mirror_support import chain_logs, indexer_settings, mine, mirrored_logs, sync_until_head
from tests.indexer.scenario import Contracts, emit_every_event


def test_backfill_then_follow_mirrors_every_event(
    chain: Chain, clean_db: Engine, database_url: str, admin, minter, investors, treasury, test_settings
) -> None:
    distributor = chain.w3.eth.contract(address=chain.deployment.address(DISTRIBUTOR), abi=load_abi(DISTRIBUTOR))
    contracts = Contracts(chain.ownership, chain.router, chain.stablecoin, distributor)
    emit_every_event(chain.w3, contracts, admin, minter, investors, treasury.address, tag="sync")
    mine(test_settings.rpc_url, 80)  # pushes the scenario below anvil's `finalized` tag: backfilled by range
    a, b = investors[0], investors[1]
    transact(chain.w3, a, chain.ownership.functions.safeTransferFrom(a.address, b.address, 1, 7, b""))  # followed
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)

    position = sync_until_head(settings, clean_db)

    assert position.caught_up and position.finalized == position.head - 64
    addresses = [chain.deployment.address(n) for n in (OWNERSHIP, PAYMENT_ROUTER, DISTRIBUTOR)]
    assert mirrored_logs(clean_db, 31337) == chain_logs(test_settings.rpc_url, addresses)
    assert balances_consistent(clean_db, 31337) == []
    with clean_db.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        assert one("SELECT exited FROM chain_projects WHERE project_id = 3") == [(True,)]
        assert one(f"SELECT amount FROM chain_payments WHERE payment_ref = '0x{payment_ref('sync-pay-1').hex()}'") == [
            (12_340_000,)
        ]
        assert one("SELECT total_amount FROM chain_distributions ORDER BY distribution_id") == [
            (123_456_789,),
            (1_000_000,),
        ]
        claimed = "SELECT args->>'amount' FROM chain_events WHERE event_name = 'Claimed'"
        assert one(claimed) == [("700000",)]
        assert one("SELECT count(*) FROM chain_mints") == [(4,)]
        assert one("SELECT paused FROM chain_pauses") == [(False,), (False,)]
        # 7 ownership (the relayer is project admin too), 2 router, 2 distributor (admin, the relayer's funder role)
        assert one("SELECT count(*) FROM chain_roles WHERE granted") == [(11,)]
        allowed = f"SELECT allowed FROM chain_allowlist WHERE account = '{investors[3].address.lower()}'"
        assert one(allowed) == [(False,)]
        b, c = investors[1].address.lower(), investors[0].address.lower()
        frozen = "SELECT project_id, account, amount FROM chain_frozen ORDER BY project_id"
        assert one(frozen) == [(1, b, 150), (2, c, 5_000)]  # b's freeze lowered by the clawback
        assert one("SELECT count(*) FROM chain_events WHERE event_name = 'ForcedTransfer'") == [(1,)]
        assert one("SELECT count(*) FROM chain_events WHERE NOT final") == one(
            f"SELECT count(*) FROM chain_events WHERE block_number > {position.finalized}"
        )


def test_following_picks_up_new_blocks_as_they_come(
    chain: Chain, clean_db: Engine, database_url: str, admin, test_settings
) -> None:
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(settings, stop), kwargs={"engine": clean_db}, daemon=True)
    worker.start()
    try:
        receipt = transact(chain.w3, admin, chain.ownership.functions.createProject(42, 1_000, compute_cid(b"follow")))
        deadline = time.monotonic() + 30
        found = []
        while not found and time.monotonic() < deadline:
            with clean_db.connect() as conn:
                found = conn.execute(text("SELECT created_block FROM chain_projects WHERE project_id = 42")).all()
            time.sleep(0.05)
        assert found and found[0][0] == receipt["blockNumber"]
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
