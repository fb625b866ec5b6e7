"""PaymentRouter and the test stablecoin on a real anvil: payments, permits, every refusal, every event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from tests.conftest import Chain
from tests.contracts.conftest import Deploy, Send
from tests.contracts.reverts import reverts_with

REF = Web3.keccak(text="order-1")
USD = 10**6  # the stablecoin's 6 decimals
CENT = USD // 100


def _fund_payer(chain: Chain, admin: LocalAccount, payer: LocalAccount, send: Send, amount: int = 1_000 * USD) -> None:
    send(admin, chain.stablecoin.functions.mint(payer.address, amount))


def _approve(chain: Chain, payer: LocalAccount, send: Send, amount: int = 1_000 * USD) -> None:
    send(payer, chain.stablecoin.functions.approve(chain.router.address, amount))


@pytest.fixture
def payer(chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int) -> LocalAccount:
    """An allowlisted investor with $1,000 of test stablecoin, all of it approved to the router."""
    _fund_payer(chain, admin, investors[0], send)
    _approve(chain, investors[0], send)
    return investors[0]


def _payments(chain: Chain, receipt: Any) -> list[Any]:
    return [e["args"] for e in chain.router.events.PaymentReceived().process_receipt(receipt, errors=DISCARD)]


def test_stablecoin_has_six_decimals_and_only_owner_mints(
    chain: Chain, investors: list[LocalAccount], send: Send
) -> None:
    assert chain.stablecoin.functions.decimals().call() == 6
    with reverts_with(chain.stablecoin, "OwnableUnauthorizedAccount", investors[0].address):
        send(investors[0], chain.stablecoin.functions.mint(investors[0].address, 1))


def test_pay_moves_funds_to_treasury_and_emits(
    chain: Chain, treasury: LocalAccount, payer: LocalAccount, send: Send, project: int
) -> None:
    before = chain.stablecoin.functions.balanceOf(treasury.address).call()
    receipt = send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 25 * USD, REF))
    (ev,) = _payments(chain, receipt)
    assert (ev["paymentRef"], ev["payer"], ev["projectId"], ev["token"], ev["amount"]) == (
        REF,
        payer.address,
        project,
        chain.stablecoin.address,
        25 * USD,
    )
    assert chain.stablecoin.functions.balanceOf(treasury.address).call() - before == 25 * USD
    assert chain.stablecoin.functions.balanceOf(chain.router.address).call() == 0
    assert chain.router.functions.paymentRefUsed(payer.address, REF).call()


def test_stablecoin_is_accepted_at_one_cent_per_ten_thousand_units(chain: Chain) -> None:
    assert chain.router.functions.tokenAllowed(chain.stablecoin.address).call() is True
    assert chain.router.functions.unitsPerCent(chain.stablecoin.address).call() == CENT
    assert chain.router.functions.MINIMUM_CENTS().call() == 1_000


# ----- the reference is bound to its payer -------------------------------------------------------


@contextmanager
def manual_mining(chain: Chain) -> Iterator[None]:
    """Transactions wait in the mempool until the test mines them, as on a real network."""
    chain.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]  # RPCEndpoint is a str NewType
    try:
        yield
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]  # RPCEndpoint is a str NewType


def _sign_pay(chain: Chain, account: LocalAccount, call: Any, tip_gwei: int) -> HexBytes:
    tx = call.build_transaction(
        {
            "from": account.address,
            "nonce": chain.w3.eth.get_transaction_count(account.address, "pending"),
            "gas": 300_000,
            "maxPriorityFeePerGas": Web3.to_wei(tip_gwei, "gwei"),
            "maxFeePerGas": Web3.to_wei(100 + tip_gwei, "gwei"),
        }
    )
    return chain.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)


def test_a_front_runner_copying_the_reference_cannot_spoil_the_victims_payment(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    victim, squatter = investors[0], investors[1]
    for account in (victim, squatter):
        _fund_payer(chain, admin, account, send)
        _approve(chain, account, send)
    token = chain.stablecoin.address
    with manual_mining(chain):
        # The victim's pay(ref) waits in the mempool; the squatter copies its reference with a higher tip.
        victim_tx = _sign_pay(chain, victim, chain.router.functions.pay(project, token, 25 * USD, REF), tip_gwei=1)
        squat_tx = _sign_pay(chain, squatter, chain.router.functions.pay(project, token, 10 * USD, REF), tip_gwei=50)
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]  # RPCEndpoint is a str NewType

    squat, paid = (chain.w3.eth.get_transaction_receipt(h) for h in (squat_tx, victim_tx))
    assert squat["blockNumber"] == paid["blockNumber"] and squat["transactionIndex"] < paid["transactionIndex"]
    assert (squat["status"], paid["status"]) == (1, 1)
    (ev,) = _payments(chain, paid)
    assert (ev["paymentRef"], ev["payer"], ev["amount"]) == (REF, victim.address, 25 * USD)
    assert chain.router.functions.paymentRefUsed(victim.address, REF).call()
    assert chain.router.functions.paymentRefUsed(squatter.address, REF).call()


def test_the_same_payer_cannot_reuse_its_reference(chain: Chain, payer: LocalAccount, send: Send, project: int) -> None:
    send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))
    with reverts_with(chain.router, "PaymentRefAlreadyUsed", payer.address, REF):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))


# ----- what could never be minted is refused -----------------------------------------------------


def test_pay_refuses_a_token_not_accepted(
    chain: Chain, payer: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    with reverts_with(chain.router, "TokenNotAllowed", investors[3].address):
        send(payer, chain.router.functions.pay(project, investors[3].address, 10 * USD, REF))


@pytest.mark.parametrize("amount", [10 * USD + 1, 10 * USD + CENT - 1, 25 * USD + CENT // 2])
def test_pay_refuses_an_amount_that_is_not_whole_cents(
    chain: Chain, payer: LocalAccount, send: Send, project: int, amount: int
) -> None:
    with reverts_with(chain.router, "NotWholeCents", amount, CENT):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, amount, REF))


@pytest.mark.parametrize("cents", [0, 1, 999])
def test_pay_refuses_less_than_the_ten_dollar_minimum(
    chain: Chain, payer: LocalAccount, send: Send, project: int, cents: int
) -> None:
    with reverts_with(chain.router, "BelowMinimum", cents, 1_000):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, cents * CENT, REF))


def test_pay_accepts_exactly_the_minimum(chain: Chain, payer: LocalAccount, send: Send, project: int) -> None:
    receipt = send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 1_000 * CENT, REF))
    assert _payments(chain, receipt)[0]["amount"] == 10 * USD


def test_pay_refuses_an_unknown_project(chain: Chain, payer: LocalAccount, send: Send) -> None:
    with reverts_with(chain.ownership, "UnknownProject", 4242):
        send(payer, chain.router.functions.pay(4242, chain.stablecoin.address, 10 * USD, REF))


def test_pay_refuses_an_exited_project(
    chain: Chain, admin: LocalAccount, payer: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.exitProject(project, investors[6].address))
    with reverts_with(chain.ownership, "ProjectIsExited", project):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))


def test_pay_refuses_while_the_ownership_contract_is_paused(
    chain: Chain, admin: LocalAccount, payer: LocalAccount, send: Send, project: int
) -> None:
    send(admin, chain.ownership.functions.pause())
    with reverts_with(chain.ownership, "ProjectPaused", project):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))
    send(admin, chain.ownership.functions.unpause())
    send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))


def test_pay_refuses_a_payer_not_on_the_allowlist(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    outsider = investors[5]
    _fund_payer(chain, admin, outsider, send)
    _approve(chain, outsider, send)
    with reverts_with(chain.ownership, "AccountNotAllowed", outsider.address):
        send(outsider, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))
    assert chain.stablecoin.functions.balanceOf(outsider.address).call() == 1_000 * USD


def test_pay_refuses_more_than_the_capacity_left(
    chain: Chain, minter: LocalAccount, payer: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    send(minter, chain.ownership.functions.mintInvestment(project, investors[1].address, 95_000, REF))
    with reverts_with(chain.ownership, "SupplyCapExceeded", project, 100_000, 100_001):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 5_001 * CENT, REF))
    send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 5_000 * CENT, REF))  # exactly the cap


def test_pay_records_what_the_treasury_received_from_a_fee_on_transfer_token(
    chain: Chain, admin: LocalAccount, treasury: LocalAccount, payer: LocalAccount, send: Send, project: int,
    deploy_fake: Deploy,
) -> None:  # fmt: skip
    fee_token = deploy_fake("FakeFeeOnTransferToken")
    send(admin, chain.router.functions.setTokenAllowed(fee_token.address, True))
    send(admin, fee_token.functions.mint(payer.address, 100 * USD))
    send(payer, fee_token.functions.approve(chain.router.address, 100 * USD))
    receipt = send(payer, chain.router.functions.pay(project, fee_token.address, 50 * USD, REF))
    (ev,) = _payments(chain, receipt)
    assert ev["amount"] == 49_500_000  # 1% burnt on the way
    assert fee_token.functions.balanceOf(treasury.address).call() == 49_500_000


@pytest.mark.parametrize("decimals", [0, 1, 39])
def test_a_token_with_too_few_or_too_many_decimals_cannot_be_accepted(
    chain: Chain, admin: LocalAccount, send: Send, deploy_fake: Deploy, decimals: int
) -> None:
    token = deploy_fake("FakeDecimalsToken", decimals)
    with reverts_with(chain.router, "UnsupportedDecimals", token.address, decimals):
        send(admin, chain.router.functions.setTokenAllowed(token.address, True))


@pytest.mark.parametrize(("decimals", "units_per_cent"), [(2, 1), (6, 10**4), (18, 10**16)])
def test_units_per_cent_follow_the_tokens_decimals_and_are_cleared_when_disallowed(
    chain: Chain, admin: LocalAccount, send: Send, deploy_fake: Deploy, decimals: int, units_per_cent: int
) -> None:
    token: Contract = deploy_fake("FakeDecimalsToken", decimals)
    send(admin, chain.router.functions.setTokenAllowed(token.address, True))
    assert chain.router.functions.unitsPerCent(token.address).call() == units_per_cent
    send(admin, chain.router.functions.setTokenAllowed(token.address, False))
    assert chain.router.functions.unitsPerCent(token.address).call() == 0
    assert chain.router.functions.tokenAllowed(token.address).call() is False


# ----- permits, allowance, pause, admin ----------------------------------------------------------


def test_pay_with_permit_needs_no_prior_approval(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer: LocalAccount = investors[1]
    _fund_payer(chain, admin, payer, send)
    amount, deadline = 10 * USD, 2**40
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Test USD",
            "version": "1",
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": chain.stablecoin.address,
        },
        "message": {
            "owner": payer.address,
            "spender": chain.router.address,
            "value": amount,
            "nonce": chain.stablecoin.functions.nonces(payer.address).call(),
            "deadline": deadline,
        },
    }
    sig = Account.sign_message(encode_typed_data(full_message=typed), payer.key)
    send(
        payer,
        chain.router.functions.payWithPermit(
            project,
            chain.stablecoin.address,
            amount,
            REF,
            deadline,
            sig.v,
            sig.r.to_bytes(32, "big"),
            sig.s.to_bytes(32, "big"),
        ),
    )
    assert chain.router.functions.paymentRefUsed(payer.address, REF).call()


def test_pay_without_allowance_reverts(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[0]
    _fund_payer(chain, admin, payer, send)
    with reverts_with(chain.stablecoin, "ERC20InsufficientAllowance", chain.router.address, 0, 10 * USD):
        send(payer, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))


def test_router_pause_and_admin_functions(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    outsider = investors[0]
    send(admin, chain.router.functions.pause())
    with reverts_with(chain.router, "EnforcedPause"):
        send(outsider, chain.router.functions.pay(project, chain.stablecoin.address, 10 * USD, REF))
    send(admin, chain.router.functions.unpause())
    with reverts_with(
        chain.router, "AccessControlUnauthorizedAccount", outsider.address, Web3.keccak(text="PAUSER_ROLE")
    ):
        send(outsider, chain.router.functions.pause())
    with reverts_with(chain.router, "AccessControlUnauthorizedAccount", outsider.address, bytes(32)):
        send(outsider, chain.router.functions.setTokenAllowed(outsider.address, True))
    with reverts_with(chain.router, "AccessControlUnauthorizedAccount", outsider.address, bytes(32)):
        send(outsider, chain.router.functions.setTreasury(outsider.address))
    with reverts_with(chain.router, "ZeroAddress"):
        send(admin, chain.router.functions.setTreasury("0x" + "0" * 40))
    with reverts_with(chain.router, "ZeroAddress"):
        send(admin, chain.router.functions.setTokenAllowed("0x" + "0" * 40, True))
    receipt = send(admin, chain.router.functions.setTreasury(investors[4].address))
    assert chain.router.events.TreasuryUpdated().process_receipt(receipt)[0]["args"]["treasury"] == investors[4].address
    receipt = send(admin, chain.router.functions.setTokenAllowed(chain.stablecoin.address, False))
    ev = chain.router.events.TokenAllowed().process_receipt(receipt)[0]["args"]
    assert (ev["token"], ev["allowed"]) == (chain.stablecoin.address, False)
    assert chain.router.functions.treasury().call() == investors[4].address


def test_constructors_reject_zero_addresses(chain: Chain, build, admin: LocalAccount, send: Send) -> None:  # type: ignore[no-untyped-def]
    zero = "0x" + "0" * 40
    router = build.contracts["PaymentRouter"]
    factory = chain.w3.eth.contract(abi=router.abi, bytecode=router.bytecode)
    with reverts_with(chain.router, "ZeroAddress"):
        factory.constructor(chain.ownership.address, zero, admin.address).build_transaction({"from": admin.address})
    ownership = build.contracts["TerraLuminaOwnership"]
    factory = chain.w3.eth.contract(abi=ownership.abi, bytecode=ownership.bytecode)
    with reverts_with(chain.ownership, "ZeroAddress"):
        factory.constructor("https://x/{id}", zero).build_transaction({"from": admin.address})


def test_pay_with_an_invalid_permit_and_no_allowance_reverts(
    chain: Chain, admin: LocalAccount, investors: list[LocalAccount], send: Send, project: int
) -> None:
    payer = investors[1]
    _fund_payer(chain, admin, payer, send)
    bogus = (27, b"\x01" * 32, b"\x02" * 32)
    with reverts_with(chain.stablecoin, "ERC20InsufficientAllowance", chain.router.address, 0, 10 * USD):
        send(
            payer, chain.router.functions.payWithPermit(project, chain.stablecoin.address, 10 * USD, REF, 2**40, *bogus)
        )
    assert not chain.router.functions.paymentRefUsed(payer.address, REF).call()
