"""The Distributor on anvil: a recorded distribution, funded with its total, pays each merkle leaf once, to its
account; proofs for another account or amount revert; the batch form serves custodial holders; an admin sweeps
what is left only after the deadline. Trees come from core.distributions (OpenZeppelin's StandardMerkleTree)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.contract import Contract
from web3.logs import DISCARD

from core.chain.compiler import Build
from core.chain.transactions import send as send_tx
from core.distributions.allocation import allocate
from core.distributions.merkle import StandardMerkleTree
from terra.ops.deploy import role_id
from tests.conftest import Chain
from tests.contracts.conftest import PROJECT_CID, Send
from tests.contracts.reverts import reverts_with

LEAF = ("address", "uint256")
DAY = 86_400
UNITS_PER_CENT = 10**4  # the test stablecoin has 6 decimals


@dataclass
class Payout:
    distributor: Contract
    tree: StandardMerkleTree
    amounts: dict[str, int]
    distribution_id: int

    def proof(self, account: str) -> list[bytes]:
        index = next(i for i in range(len(self.tree)) if self.tree.value(i)[0] == account)
        return self.tree.proof(index)


@pytest.fixture
def deploy_distributor(chain: Chain, admin: LocalAccount, build: Build, send: Send) -> Callable[[], Contract]:
    def deploy() -> Contract:
        compiled = build.contracts["Distributor"]
        factory = chain.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        tx = factory.constructor(chain.ownership.address, chain.stablecoin.address, admin.address)
        receipt = send_tx(chain.w3, admin, dict(tx.build_transaction({"from": admin.address})))
        contract = chain.w3.eth.contract(address=str(receipt["contractAddress"]), abi=compiled.abi)
        send(admin, contract.functions.grantRole(role_id("FUNDER_ROLE"), admin.address))
        return contract

    return deploy


@pytest.fixture
def payout(
    chain: Chain,
    admin: LocalAccount,
    send: Send,
    investors: list[LocalAccount],
    deploy_distributor: Callable[[], Contract],
) -> Payout:
    """Project 7 with three holders, a $100.00 distribution recorded at the current block and funded."""
    send(admin, chain.ownership.functions.createProject(7, 100_000, PROJECT_CID))
    holders = {i.address: balance for i, balance in zip(investors[:3], (1_000, 2_000, 3_333), strict=True)}
    amounts = {a: cents * UNITS_PER_CENT for a, cents in allocate(10_000, holders).items()}
    tree = StandardMerkleTree(sorted(amounts.items()), LEAF)
    total = sum(amounts.values())
    snapshot = chain.w3.eth.block_number
    send(admin, chain.ownership.functions.distributeReturns(7, 1, total, tree.root, snapshot))
    distributor = deploy_distributor()
    send(admin, chain.stablecoin.functions.mint(admin.address, total))
    send(admin, chain.stablecoin.functions.approve(distributor.address, total))
    deadline = chain.w3.eth.get_block("latest")["timestamp"] + 30 * DAY
    send(admin, distributor.functions.fund(7, 1, deadline))
    return Payout(distributor, tree, amounts, 1)


def balance(chain: Chain, account: str) -> int:
    return int(chain.stablecoin.functions.balanceOf(account).call())


def test_each_holder_is_paid_once_and_the_claims_add_up_to_the_total(
    chain: Chain, payout: Payout, send: Send, investors: list[LocalAccount]
) -> None:
    d = payout.distributor
    relayer = investors[5]  # anyone may send a claim: the money goes to the leaf's account
    for account, amount in payout.amounts.items():
        before = balance(chain, account)
        receipt = send(relayer, d.functions.claim(1, account, amount, payout.proof(account)))
        assert balance(chain, account) == before + amount
        (event,) = d.events.Claimed().process_receipt(receipt, errors=DISCARD)
        assert (event.args.account, event.args.amount) == (account, amount)
        assert d.functions.isClaimed(1, account).call()
    assert balance(chain, d.address) == 0
    assert d.functions.pool(1).call()[3] == sum(payout.amounts.values())


def test_a_second_claim_reverts(payout: Payout, send: Send, investors: list[LocalAccount]) -> None:
    account, amount = next(iter(payout.amounts.items()))
    d = payout.distributor
    send(investors[0], d.functions.claim(1, account, amount, payout.proof(account)))
    with reverts_with(d, "AlreadyClaimed", 1, account):
        send(investors[0], d.functions.claim(1, account, amount, payout.proof(account)))


def test_a_proof_for_another_account_or_amount_reverts(
    payout: Payout, send: Send, investors: list[LocalAccount]
) -> None:
    d = payout.distributor
    (a, amount_a), (b, _) = list(payout.amounts.items())[:2]
    with reverts_with(d, "InvalidProof", 1, b, amount_a):
        send(investors[0], d.functions.claim(1, b, amount_a, payout.proof(a)))
    with reverts_with(d, "InvalidProof", 1, a, amount_a + 1):
        send(investors[0], d.functions.claim(1, a, amount_a + 1, payout.proof(a)))
    with reverts_with(d, "InvalidProof", 1, a, amount_a):
        send(investors[0], d.functions.claim(1, a, amount_a, [b"\x00" * 32]))


def test_the_batch_claim_pays_several_holders_in_one_transaction(
    chain: Chain, payout: Payout, send: Send, investors: list[LocalAccount]
) -> None:
    accounts = list(payout.amounts)
    d = payout.distributor
    call = d.functions.claimBatch(
        1, accounts, [payout.amounts[a] for a in accounts], [payout.proof(a) for a in accounts]
    )
    receipt = send(investors[6], call)
    assert len(d.events.Claimed().process_receipt(receipt, errors=DISCARD)) == len(accounts)
    assert all(balance(chain, a) >= payout.amounts[a] for a in accounts)


def test_the_sweep_waits_for_the_deadline_then_closes_the_distribution(
    chain: Chain, payout: Payout, send: Send, admin: LocalAccount, investors: list[LocalAccount]
) -> None:
    d = payout.distributor
    first, amount = next(iter(payout.amounts.items()))
    send(investors[0], d.functions.claim(1, first, amount, payout.proof(first)))
    deadline = d.functions.pool(1).call()[4]
    with reverts_with(d, "ClaimDeadlineNotPassed", 1, deadline):
        send(admin, d.functions.sweep(1, admin.address))
    chain.w3.provider.make_request("evm_increaseTime", [31 * DAY])  # type: ignore[attr-defined]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[attr-defined]
    with reverts_with(d, "AccessControlUnauthorizedAccount"):
        send(investors[0], d.functions.sweep(1, investors[0].address))
    before = balance(chain, admin.address)
    send(admin, d.functions.sweep(1, admin.address))
    assert balance(chain, admin.address) - before == sum(payout.amounts.values()) - amount
    second, amount2 = list(payout.amounts.items())[1]
    with reverts_with(d, "DistributionClosed", 1):
        send(investors[0], d.functions.claim(1, second, amount2, payout.proof(second)))


def test_funding_needs_a_recorded_distribution_and_happens_once(
    chain: Chain, payout: Payout, send: Send, admin: LocalAccount
) -> None:
    d = payout.distributor
    future = chain.w3.eth.get_block("latest")["timestamp"] + DAY
    with reverts_with(d, "DistributionAlreadyFunded", 1):
        send(admin, d.functions.fund(7, 1, future))
    with reverts_with(d, "DistributionNotRecorded", 7, 2):
        send(admin, d.functions.fund(7, 2, future))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=7), st.integers(1, 10**9))
def test_random_distributions_pay_exactly_their_total(
    chain: Chain,
    admin: LocalAccount,
    send: Send,
    investors: list[LocalAccount],
    deploy_distributor: Callable[[], Contract],
    balances: list[int],
    total_cents: int,
) -> None:
    snapshot_id = chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[attr-defined]
    try:
        send(admin, chain.ownership.functions.createProject(9, 10**12, PROJECT_CID))
        holders = {i.address: b for i, b in zip(investors, balances, strict=False)}
        amounts = {a: c * UNITS_PER_CENT for a, c in allocate(total_cents, holders).items() if c > 0}
        tree = StandardMerkleTree(sorted(amounts.items()), LEAF)
        total = total_cents * UNITS_PER_CENT
        send(admin, chain.ownership.functions.distributeReturns(9, 5, total, tree.root, chain.w3.eth.block_number))
        d = deploy_distributor()
        send(admin, chain.stablecoin.functions.mint(admin.address, total))
        send(admin, chain.stablecoin.functions.approve(d.address, total))
        send(admin, d.functions.fund(9, 5, chain.w3.eth.get_block("latest")["timestamp"] + DAY))
        for i in range(len(tree)):
            account, amount = tree.value(i)
            send(admin, d.functions.claim(5, account, amount, tree.proof(i)))
        assert balance(chain, d.address) == 0
    finally:
        chain.w3.provider.make_request("evm_revert", [snapshot_id])  # type: ignore[attr-defined]
