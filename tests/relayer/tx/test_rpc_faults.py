"""An RPC that times out in the middle of a send, before or after the node took the transaction: nothing is sent
twice (the same signed bytes go out again, never a new transaction) and nothing is lost."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine

from core.chain.connection import connect
from tests.conftest import Chain
from tests.relayer.tx.send_timeout_proxy import SendTimeoutProxy
from tests.relayer.tx.support import assert_each_mined_once, drive, enqueue_mints, manager, minted_once, new_mint


@pytest.mark.parametrize("forward", [False, True], ids=["lost_before_the_node", "answer_lost_after_the_node"])
def test_a_send_that_times_out_is_neither_duplicated_nor_lost(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount], forward: bool
) -> None:
    upstream = str(project.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    mints = [new_mint(investors[i].address, 300 + i) for i in range(3)]
    enqueue_mints(clean_db, project.ownership, minter, mints)
    with SendTimeoutProxy(upstream, faults=2, forward=forward) as proxy:
        mgr = manager(clean_db, connect(proxy.url, timeout=1.0), minter)
        mgr.recover()
        rows = drive(mgr, clean_db)
        assert proxy.timed_out == 2 and proxy.sends > 3  # the faults happened, and sends were repeated
    assert all(len(r.attempt_hashes) == 1 for r in rows)  # repeated sends were the same signed bytes
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, mints)
