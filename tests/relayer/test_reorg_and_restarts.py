"""The chain moving under the relayer: a reorg that drops a mint gets it sent again (still exactly one), and an anvil
restarted under a running relayer (state kept, pool lost) does not lose a payment."""

from __future__ import annotations

import signal
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from core.chain.compiler import Build
from core.chain.transactions import transact
from relayer.custody import Custody
from relayer.payments.repository import custodial_account
from tests.indexer.mirror_support import PrivateChain, mine, rpc, start_private_chain
from tests.relayer.support import Stack, relayer_stack, setup_projects, wait_for


@pytest.fixture(scope="module")
def private_chain(build: Build) -> Iterator[PrivateChain]:
    # --state: anvil dumps its chain on SIGINT and loads it on start, so a restart keeps the chain, loses the pool
    state = Path(tempfile.mkdtemp(prefix="terra-relayer-anvil-")) / "state.json"
    chain = start_private_chain(build, extra_args=("--state", str(state)))
    try:
        setup_projects(chain)
        mine(chain.url, 80)  # so that the blocks a reorg rewrites are above anvil's finalized block
        yield chain
    finally:
        chain.anvil.stop()


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url) as s:
        yield s


def _mint_block(stack: Stack, inv: object) -> int:
    block = stack.investment(inv).mint_block  # type: ignore[arg-type]  # a UUID
    assert block is not None
    return block


def test_a_reorg_that_drops_the_mint_gets_it_sent_again_and_minted_exactly_once(stack: Stack) -> None:
    inv = stack.card_investment(1_700)
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed")
    ref = stack.investment(inv).payment_ref
    [(mined_in, first_hash)] = stack.sql(
        "SELECT block_number, block_hash FROM chain_mints WHERE payment_ref = :r", r=ref
    )
    head = int(rpc(stack.chain.url, "eth_blockNumber", []), 16)
    rpc(stack.chain.url, "anvil_reorg", [head - mined_in + 1, []])  # the same heights, other blocks: no mint
    # (no look at the chain here: the running relayer may already have sent the mint again)
    mine(stack.chain.url, 1)
    # The relayer sends it again; the index drops the orphaned mint and mirrors the new one.
    wait_for(
        "the mint again, in a block of the new chain",
        lambda: (
            (rows := stack.sql("SELECT block_hash FROM chain_mints WHERE payment_ref = :r", r=ref))
            and rows[0][0] != first_hash
        ),
    )
    stack.wait_status(inv, "completed", "final")
    assert stack.mints_of(inv) == 1
    stack.finalize()
    stack.wait_status(inv, "final")
    assert stack.mints_of(inv) == 1


def test_anvil_restarted_under_the_relayer_keeps_every_payment(stack: Stack) -> None:
    chain = stack.chain
    user = uuid.uuid4()
    with stack.sessions.begin() as session:  # the payer's custodial address on the allowlist ahead of time
        account = custodial_account(session, user)
        account.address = address = Custody(None, chain.deployment.chain_id).address(account.account_index)
    own = chain.contracts.ownership
    transact(chain.w3, chain.admin, own.functions.setAllowed(Web3.to_checksum_address(address), True))
    rpc(chain.url, "evm_setAutomine", [False])  # the mint will wait in the pool, which a restart loses
    inv = stack.card_investment(1_800, user_id=user)
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    wait_for(
        "the mint broadcast",
        lambda: stack.sql("SELECT 1 FROM relayer_transactions WHERE purpose = 'mint' AND status = 'broadcast'"),
    )
    process = chain.anvil.process
    assert process is not None
    process.send_signal(signal.SIGINT)  # as an operator's Ctrl-C: the state file is written on the way out
    process.wait(30)
    chain.anvil.process = None
    chain.anvil.start()  # same port, chain kept, pool empty, automine on again
    assert rpc(chain.url, "txpool_status", [])["pending"] == "0x0"
    stack.wait_status(inv, "completed", "final", timeout=120)
    assert stack.mints_of(inv) == 1
