"""Distributions paid through the relayer on a real anvil, PostgreSQL and indexer: a recorded distribution goes on
chain, is funded from the relayer's balance and every custodial leaf is claimed exactly once, in batches; totals
reconcile; a recording that reverts fails the distribution, flagged; reconcile finds a claim that matches no leaf
and a claim whose amount differs from its leaf's."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from web3 import Web3

from core.chain.transactions import transact
from core.distributions.claims import claims_of, pool_totals
from core.distributions.merkle import StandardMerkleTree
from core.distributions.record import LEAF_ENCODING
from relayer import metrics
from relayer.distribution_reconcile import KINDS
from relayer.distributions import passes
from relayer.process import _pool_reader, relayer_context
from relayer.reconcile import Finding, reconcile
from terra.ops.deploy import FUNDER, role_id
from tests.indexer.mirror_support import PrivateChain, mine, rpc
from tests.relayer.distribution_support import (
    chain_claims,
    fund_relayer,
    make_holders,
    record,
    status,
    wait_status,
)
from tests.relayer.support import CHAIN_ID, Stack, relayer_stack, wait_for

BATCH = 4


@pytest.fixture(scope="module")
def stack(private_chain: PrivateChain, server_url: str) -> Iterator[Stack]:
    with relayer_stack(private_chain, server_url, start=False, relayer_claim_batch_size=BATCH) as s:
        yield s


def _distribution_findings(stack: Stack, session: Session | None = None) -> list[Finding]:
    """Reconcile's findings about distributions (the Distributor read at the index's block, as the job does)."""
    ctx = relayer_context(stack.settings)
    own = session or Session(stack.engine)
    try:
        pools = _pool_reader(ctx.payouts)
        report = reconcile(own, CHAIN_ID, grace=timedelta(0), stuck_after=timedelta(hours=1), pools=pools)
    finally:
        ctx.close()
        if session is None:
            own.close()
    return [f for f in report.findings if f.kind in KINDS]


def _claimed(stack: Stack, distribution_id: int, account: str) -> bool:
    with Session(stack.engine) as session:
        return next(c for c in claims_of(session, distribution_id) if c.account == account).claimed


def _all_custodial_claimed(stack: Stack, distribution_id: int) -> bool:
    with Session(stack.engine) as session:
        leaves = [c for c in claims_of(session, distribution_id) if c.account_kind == "custodial"]
    return bool(leaves) and all(c.claimed for c in leaves)


def test_a_recorded_distribution_goes_on_chain_is_funded_and_each_custodial_leaf_is_claimed_once(
    stack: Stack,
) -> None:
    holders = make_holders(stack, 11, custodial=10)
    fund_relayer(stack, 10**12)
    d = record(stack, holders, 123_457)
    if stack.relayer is None:
        stack.start_relayer()
    wait_status(stack, d.id, "funded")
    wait_for("every custodial leaf claimed in the index", lambda: _all_custodial_claimed(stack, d.id), timeout=90)

    assert chain_claims(stack, d.id) == {a: 1 for a in holders.custodial}  # the wallet holder claims for itself
    batches = stack.sql("SELECT count(*) FROM relayer_transactions WHERE purpose = 'claim_returns'")
    assert batches == [(3,)]  # 10 custodial leaves in batches of 4
    own, distributor = stack.chain.contracts.ownership, stack.chain.contracts.distributor
    assert distributor is not None
    total, root, _block = own.functions.distribution(11, d.id).call()
    assert (total, "0x" + root.hex()) == (int(d.total_units), d.merkle_root)
    with Session(stack.engine) as session:
        leaves = claims_of(session, d.id)
        wallet_leaf = next(c for c in leaves if c.account == holders.wallet)
        assert not wallet_leaf.claimed
        pool = pool_totals(session, CHAIN_ID, d.id)
    assert pool.funded == int(d.total_units) and pool.unclaimed == wallet_leaf.amount_units
    assert sum(c.amount_units for c in leaves) == int(d.total_units)
    pool_on_chain = distributor.functions.pool(d.id).call()
    assert pool_on_chain[2] - pool_on_chain[3] == wallet_leaf.amount_units
    assert _distribution_findings(stack) == []

    # the wallet holder claims from its own wallet: then nothing is left and the totals still add up
    with Session(stack.engine) as session:
        proof = session.execute(
            text("SELECT proof FROM user_distributions WHERE id = :i"), {"i": wallet_leaf.leaf_id}
        ).scalar_one()
    investor = stack.chain.investors[0]
    call = distributor.functions.claim(
        d.id, investor.address, wallet_leaf.amount_units, [bytes.fromhex(p[2:]) for p in proof]
    )
    transact(stack.chain.w3, investor, call)
    wait_for(
        "the wallet's claim indexed",
        lambda: _claimed(stack, d.id, holders.wallet),
    )
    assert _distribution_findings(stack) == []
    with Session(stack.engine) as session:
        assert pool_totals(session, CHAIN_ID, d.id).unclaimed == 0

    # a leaf whose stored amount is not what was claimed on chain is found
    with Session(stack.engine) as session:
        session.begin()
        account = holders.custodial[0]
        session.execute(
            text(
                "UPDATE user_distributions SET amount_units = amount_units + 1 "
                "WHERE distribution_id = :d AND account = :a"
            ),
            {"d": d.id, "a": account},
        )
        found = _distribution_findings(stack, session)
        session.rollback()
    assert [(f.kind, f.ref) for f in found] == [("claim_amount_mismatch", f"distribution:{d.id}:{account}")]


def test_a_distribution_whose_recording_reverts_ends_failed_and_flagged_and_is_never_funded(stack: Stack) -> None:
    holders = make_holders(stack, 12, custodial=2)
    with stack.driven() as ctx:
        assert ctx.payouts is not None
        stack.stop_indexer()  # so that the relayer's own transaction meets the recorded id, not the index
        try:
            d = record(stack, holders, 10_000)
            own = stack.chain.contracts.ownership
            transact(stack.chain.w3, stack.chain.admin, own.functions.distributeReturns(12, d.id, 1, b"\x01" * 32, 1))
            passes.put_on_chain(ctx.sessions, ctx.payouts)  # enqueued
            ctx.manager.tick()  # refused at estimation: DistributionAlreadyRecorded
            passes.put_on_chain(ctx.sessions, ctx.payouts)
            assert status(stack, d.id) == "failed"
            passes.put_on_chain(ctx.sessions, ctx.payouts)  # nothing more: never retried
            passes.fund_distributions(ctx.sessions, ctx.payouts)
        finally:
            stack.start_indexer()
    row = stack.sql("SELECT failure_reason, approve_tx_id, fund_tx_id FROM distributions WHERE id = :d", d=d.id)
    reason, approve, fund = row[0]
    assert reason.startswith(f"DistributionAlreadyRecorded(12, {d.id})") and approve is None and fund is None
    flags = stack.sql("SELECT reason FROM payment_flags WHERE source = 'distribution' AND source_ref = :r", r=str(d.id))
    assert flags == [("distribution_failed",)]
    sent = stack.sql(
        "SELECT count(*) FROM relayer_transactions WHERE purpose = 'distribute_returns' AND nonce IS NOT NULL "
        "AND data = (SELECT data FROM relayer_transactions WHERE id = (SELECT record_tx_id FROM distributions "
        "WHERE id = :d))",
        d=d.id,
    )
    assert sent == [(0,)]  # refused before taking a nonce: nothing went to the chain
    distributor = stack.chain.contracts.distributor
    assert distributor is not None
    assert distributor.functions.pool(d.id).call()[1] == b"\x00" * 32


def test_reconcile_finds_a_claim_of_a_distribution_paid_outside_the_platform(stack: Stack) -> None:
    chain = stack.chain
    w3, admin, own, coin = chain.w3, chain.admin, chain.contracts.ownership, chain.contracts.stablecoin
    distributor = chain.contracts.distributor
    assert distributor is not None
    from ipfs.cid import compute_cid

    transact(w3, admin, own.functions.createProject(13, 10**9, compute_cid(b"outside")))
    holder, amount, outside_id = chain.investors[1], 5_000_000, 900_001
    tree = StandardMerkleTree([(holder.address.lower(), amount)], LEAF_ENCODING)
    transact(w3, admin, own.functions.distributeReturns(13, outside_id, amount, tree.root, 1))
    transact(w3, admin, distributor.functions.grantRole(role_id(FUNDER), admin.address))
    transact(w3, admin, coin.functions.mint(admin.address, amount))
    transact(w3, admin, coin.functions.approve(distributor.address, amount))
    deadline = int(chain.head()["timestamp"], 16) + 3_600
    transact(w3, admin, distributor.functions.fund(13, outside_id, deadline))
    transact(w3, holder, distributor.functions.claim(outside_id, holder.address, amount, tree.proof(0)))
    wait_for(
        "the outside claim indexed",
        lambda: stack.sql("SELECT 1 FROM chain_claims WHERE distribution_id = :d", d=outside_id),
    )
    found = [(f.kind, f.ref) for f in _distribution_findings(stack)]
    assert found == [("claim_without_leaf", f"distribution:{outside_id}:{holder.address.lower()}")]


def test_a_claim_batch_that_reverts_splits_into_lone_claims_and_no_leaf_is_claimed_twice(stack: Stack) -> None:
    holders = make_holders(stack, 14, custodial=3)
    fund_relayer(stack, 10**12)
    d = record(stack, holders, 30_000)
    distributor = stack.chain.contracts.distributor
    assert distributor is not None
    with stack.driven() as ctx:
        pc = ctx.payouts
        assert pc is not None

        def funded() -> bool:
            passes.put_on_chain(ctx.sessions, pc)
            passes.fund_distributions(ctx.sessions, pc)
            ctx.manager.tick()
            return status(stack, d.id) == "funded"

        wait_for("funded, passes by hand", funded, timeout=90)
        stack.stop_indexer()  # the hand claim below stays unknown to the index: the relayer's batch meets it
        try:
            taken = holders.custodial[1]
            amount, proof = stack.sql(
                "SELECT amount_units, proof FROM user_distributions WHERE distribution_id = :d AND account = :a",
                d=d.id,
                a=taken,
            )[0]
            anyone = stack.chain.investors[2]
            hand = distributor.functions.claim(
                d.id, Web3.to_checksum_address(taken), int(amount), [bytes.fromhex(p[2:]) for p in proof]
            )
            transact(stack.chain.w3, anyone, hand)  # anyone may claim for an account: it is paid to the account
            assert passes.claim_custodial(ctx.sessions, pc, 10) == 3
            ctx.manager.tick()
            reverted = stack.sql(
                "SELECT revert_reason FROM relayer_transactions "
                "WHERE id IN (SELECT claim_tx_id FROM user_distributions WHERE distribution_id = :d)",
                d=d.id,
            )
            assert len(reverted) == 1 and reverted[0][0].startswith(f"AlreadyClaimed({d.id}, ")
            assert passes.follow_claims(ctx.sessions) == 3
            assert passes.claim_custodial(ctx.sessions, pc, 10) == 3  # each alone now

            def settled() -> bool:
                ctx.manager.tick()
                open_ = "SELECT 1 FROM relayer_transactions WHERE status IN ('queued', 'signed', 'broadcast')"
                return not stack.sql(open_)

            wait_for("the lone claims settled", settled)
        finally:
            stack.start_indexer()
    wait_for("every custodial leaf claimed in the index", lambda: _all_custodial_claimed(stack, d.id), timeout=90)
    assert chain_claims(stack, d.id) == {a: 1 for a in holders.custodial}
    lone = stack.sql(
        "SELECT l.account, t.status FROM user_distributions l JOIN relayer_transactions t ON t.id = l.claim_tx_id "
        "WHERE l.distribution_id = :d AND l.account_kind = 'custodial' ORDER BY l.account",
        d=d.id,
    )
    assert {a: s for a, s in lone if a == taken} == {taken: "cancelled"}  # found claimed before it took a nonce
    assert all(s in ("mined", "final") for a, s in lone if a != taken)


def _hand_claim(stack: Stack, distribution_id: int, account: str) -> None:
    """Anyone may claim for an account (it is paid to the account): a claim the relayer did not send."""
    distributor = stack.chain.contracts.distributor
    assert distributor is not None
    amount, proof = stack.sql(
        "SELECT amount_units, proof FROM user_distributions WHERE distribution_id = :d AND account = :a",
        d=distribution_id,
        a=account,
    )[0]
    call = distributor.functions.claim(
        distribution_id, Web3.to_checksum_address(account), int(amount), [bytes.fromhex(p[2:]) for p in proof]
    )
    transact(stack.chain.w3, stack.chain.investors[2], call)


def test_a_reverted_batch_whose_other_leaf_the_index_shows_claimed_still_sends_the_rest_alone(stack: Stack) -> None:
    holders = make_holders(stack, 17, custodial=2)
    fund_relayer(stack, 10**12)
    d = record(stack, holders, 20_000)
    taken, left = holders.custodial[1], holders.custodial[0]
    with stack.driven() as ctx:
        pc = ctx.payouts
        assert pc is not None

        def funded() -> bool:
            passes.put_on_chain(ctx.sessions, pc)
            passes.fund_distributions(ctx.sessions, pc)
            ctx.manager.tick()
            return status(stack, d.id) == "funded"

        wait_for("funded, passes by hand", funded, timeout=90)
        stack.stop_indexer()
        try:
            _hand_claim(stack, d.id, taken)
            assert passes.claim_custodial(ctx.sessions, pc, 10) == 2
            ctx.manager.tick()  # the batch of two is refused: AlreadyClaimed
        finally:
            stack.start_indexer()
        wait_for("the hand claim indexed", lambda: _claimed(stack, d.id, taken))
        assert passes.follow_claims(ctx.sessions) == 1  # the leaf left of the batch, alone
        assert passes.claim_custodial(ctx.sessions, pc, 10) == 1

        def settled() -> bool:
            ctx.manager.tick()
            return not stack.sql("SELECT 1 FROM relayer_transactions WHERE status IN ('queued', 'signed', 'broadcast')")

        wait_for("the lone claim settled", settled)
    wait_for("the leaf left claimed in the index", lambda: _claimed(stack, d.id, left), timeout=90)
    assert chain_claims(stack, d.id) == {left: 1, taken: 1}


def test_a_distribution_waits_unfunded_while_the_relayers_balance_is_short_then_is_funded(stack: Stack) -> None:
    holders = make_holders(stack, 16, custodial=1)
    coin, relayer = stack.chain.contracts.stablecoin, stack.chain.minter.address
    balance = coin.functions.balanceOf(relayer).call()
    d = record(stack, holders, balance // 10**4 + 100)  # $1 more than the relayer holds
    with stack.driven() as ctx:
        pc = ctx.payouts
        assert pc is not None

        def on_chain() -> bool:
            passes.put_on_chain(ctx.sessions, pc)
            ctx.manager.tick()
            return status(stack, d.id) == "on_chain"

        wait_for("on chain, passes by hand", on_chain, timeout=90)
        passes.fund_distributions(ctx.sessions, pc)
        passes.fund_distributions(ctx.sessions, pc)
        assert stack.sql("SELECT approve_tx_id, fund_tx_id FROM distributions WHERE id = :d", d=d.id) == [(None, None)]
        assert metrics.FUNDS_SHORT._value.get() == 1  # type: ignore[attr-defined]  # prometheus_client internals
        fund_relayer(stack, 10**6)  # the treasury tops the relayer up

        def funded() -> bool:
            passes.fund_distributions(ctx.sessions, pc)
            ctx.manager.tick()
            return status(stack, d.id) == "funded"

        wait_for("funded once topped up", funded, timeout=90)
        assert metrics.FUNDS_SHORT._value.get() == 0  # type: ignore[attr-defined]
    assert coin.functions.balanceOf(relayer).call() == balance + 10**6 - int(d.total_units)


def _terra(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "DATABASE_URL": stack.database_url,
        "RPC_URL": stack.chain.url,
        "RPC_URLS": "",
        "DEPLOYMENTS_DIR": str(stack.chain.deployments_dir),
        "TERRA_DATA_DIR": str(stack.settings.terra_data_dir),
    }
    env.pop("DEPLOYER_PRIVATE_KEY", None)  # local chain: anvil's deployer, the Distributor's admin
    return subprocess.run(
        [sys.executable, "-m", "terra.cli", "distributions", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sweep_is_refused_before_the_deadline_and_after_it_closes_the_distribution_and_totals_still_add_up(
    stack: Stack,
) -> None:
    """Last in the module: it moves the chain's clock past the deadline."""
    holders = make_holders(stack, 15, custodial=2)
    fund_relayer(stack, 10**12)
    d = record(stack, holders, 20_000, claim_period=timedelta(hours=1))
    if stack.relayer is None:
        stack.start_relayer()
    wait_status(stack, d.id, "funded")
    wait_for("every custodial leaf claimed in the index", lambda: _all_custodial_claimed(stack, d.id), timeout=90)

    early = _terra(stack, "sweep", str(d.id))
    assert early.returncode == 8 and "CLAIM_DEADLINE_NOT_PASSED" in early.stderr, early.stderr
    shown = _terra(stack, "show", str(d.id))
    assert shown.returncode == 0, shown.stderr
    assert f"distribution {d.id}: quarterly, project token 15, funded" in shown.stdout
    assert "claimed 2 of 3 leaves" in shown.stdout

    rpc(stack.chain.url, "evm_increaseTime", [7_200])
    mine(stack.chain.url, 1)
    treasury = stack.chain.treasury.address
    coin = stack.chain.contracts.stablecoin
    before = coin.functions.balanceOf(treasury).call()
    swept = _terra(stack, "sweep", str(d.id), "--to", treasury)
    assert swept.returncode == 0, swept.stderr
    with Session(stack.engine) as session:
        wallet_leaf = next(c for c in claims_of(session, d.id) if c.account == holders.wallet)
    assert coin.functions.balanceOf(treasury).call() - before == wallet_leaf.amount_units
    wait_status(stack, d.id, "closed")
    about = [f for f in _distribution_findings(stack) if f.ref.startswith(f"distribution:{d.id}")]
    assert about == []  # funded = claimed + swept
    with Session(stack.engine) as session:
        pool = pool_totals(session, CHAIN_ID, d.id)
    assert (pool.swept, pool.unclaimed) == (wallet_leaf.amount_units, 0)
    again = _terra(stack, "sweep", str(d.id))
    assert again.returncode == 8 and "DISTRIBUTION_CLOSED" in again.stderr
