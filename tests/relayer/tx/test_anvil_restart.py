"""anvil restarted under the manager. "Restarted" here is a node process that stops and comes back on the same
address with its chain kept (`anvil --state FILE`: blocks, receipts and state are dumped on exit and loaded on
start) but its transaction pool lost, as a real node's pool is. The manager must notice its broadcast
transactions are unknown to the node and send them again (or every later nonce would wait behind them), without
touching what was already mined. A node that comes back with its chain lost as well is a reorg deeper than every
unfinal block: the reorg tests cover that path."""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3 import Web3
from web3.contract import Contract

from core.chain.abis import OWNERSHIP, load_abi
from core.chain.compiler import Build
from core.chain.connection import connect
from core.chain.ownership import allow, create_project
from ipfs.cid import compute_cid
from terra.local.anvil import Anvil
from terra.ops.deploy import DeployPlan, deploy
from tests.relayer.tx.support import (
    CAP,
    PROJECT,
    assert_each_mined_once,
    drive,
    enqueue_mints,
    manager,
    minted_once,
    new_mint,
    rpc,
    view,
)


@dataclass
class StatefulChain:
    anvil: Anvil
    state: Path
    w3: Web3
    ownership: Contract

    def restart(self) -> None:
        """SIGINT, as an operator's Ctrl-C: anvil dumps its state file on the way out; then the same port again."""
        process = self.anvil.process
        assert process is not None
        process.send_signal(signal.SIGINT)
        process.wait(30)
        self.anvil.process = None
        self.anvil.start()


@pytest.fixture
def stateful_chain(
    build: Build, admin: LocalAccount, minter: LocalAccount, treasury: LocalAccount, investors: list[LocalAccount]
) -> Iterator[StatefulChain]:
    state = Path(tempfile.mkdtemp(prefix="terra-anvil-state-")) / "state.json"
    node = Anvil(extra_args=("--state", str(state))).start()
    try:
        w3 = connect(node.url)
        plan = DeployPlan(admin, minter.address, treasury.address, "https://terra.example/api/v1/metadata/{id}")
        dep = deploy(w3, build, plan, state.parent, report=lambda _m: None)
        create_project(w3, dep, admin, PROJECT, CAP, compute_cid(b"anvil restart"))
        allow(w3, dep, admin, [i.address for i in investors])
        ownership = w3.eth.contract(address=Web3.to_checksum_address(dep.address(OWNERSHIP)), abi=load_abi(OWNERSHIP))
        yield StatefulChain(node, state, w3, ownership)
    finally:
        node.stop()


def test_anvil_restarted_with_its_pool_lost_gets_the_pending_transactions_again(
    stateful_chain: StatefulChain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    c = stateful_chain
    mined_first = new_mint(investors[0].address, 111)
    [first] = enqueue_mints(clean_db, c.ownership, minter, [mined_first])
    mgr = manager(clean_db, c.w3, minter)
    mgr.recover()
    drive(mgr, clean_db)
    before = view(clean_db, first)
    assert before.status == "mined"

    rpc(c.anvil.url, "evm_setAutomine", [False])
    pending = [new_mint(investors[1].address, 222), new_mint(investors[2].address, 333)]
    ids = enqueue_mints(clean_db, c.ownership, minter, pending)
    mgr.tick()
    assert [view(clean_db, i).status for i in ids] == ["broadcast", "broadcast"]
    assert rpc(c.anvil.url, "txpool_status", [])["pending"] == "0x2"

    c.restart()
    assert rpc(c.anvil.url, "txpool_status", [])["pending"] == "0x0"  # the pool is gone, the chain is not
    assert c.w3.eth.get_block(before.block_number or 0)["hash"].to_0x_hex() == before.block_hash

    rows = drive(mgr, clean_db)
    assert view(clean_db, first) == before  # what was mined is left as it was
    assert all(len(r.attempt_hashes) == 1 for r in rows)  # the same signed bytes, sent again
    assert_each_mined_once(c.w3, rows, minter.address)
    assert minted_once(c.ownership, [mined_first, *pending])
