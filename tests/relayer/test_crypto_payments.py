"""Crypto payments end to end: a final PaymentReceived of the index confirms the investment whose reference it
carries and the tokens are minted to the paying wallet; anything that does not match exactly is flagged, not minted."""

from __future__ import annotations

import uuid

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from core.chain.compiler import Build
from core.chain.payment_ref import investment_payment_ref
from core.chain.transactions import transact
from relayer.payments.crypto import Expected, Paid, judge, units_per_cent
from tests.relayer.support import BIG_PROJECT, Stack, wait_for

UNITS_PER_CENT = 10_000  # the test stablecoin has 6 decimals, like USDC


def _fund(stack: Stack, payer: LocalAccount, units: int, token: str | None = None) -> None:
    chain = stack.chain
    coin = (
        chain.contracts.stablecoin
        if token is None
        else chain.w3.eth.contract(address=token, abi=chain.contracts.stablecoin.abi)
    )
    transact(chain.w3, chain.admin, coin.functions.mint(payer.address, units))
    transact(chain.w3, payer, coin.functions.approve(chain.contracts.router.address, units))


def _pay(
    stack: Stack, payer: LocalAccount, ref: bytes, cents: int, token: str | None = None, project: int = BIG_PROJECT
) -> None:
    units = cents * UNITS_PER_CENT
    _fund(stack, payer, units, token)
    token = token or stack.chain.contracts.stablecoin.address
    transact(stack.chain.w3, payer, stack.chain.contracts.router.functions.pay(project, token, units, ref))


def _flags(stack: Stack, reason: str) -> list[tuple[object, ...]]:
    return stack.sql("SELECT investment_id, source FROM payment_flags WHERE reason = :r", r=reason)


def test_a_final_payment_of_the_exact_amount_mints_to_the_paying_wallet(stack: Stack) -> None:
    payer = stack.chain.investors[0]
    inv = stack.crypto_investment(payer.address, 2_500)
    _pay(stack, payer, investment_payment_ref(inv), 2_500)
    stack.finalize()  # the payment confirms only once final
    stack.wait_status(inv, "completed", "final")
    own = stack.chain.contracts.ownership
    assert own.functions.balanceOf(payer.address, BIG_PROJECT).call() >= 2_500
    assert stack.investment(inv).recipient == payer.address.lower()
    assert stack.mints_of(inv) == 1


def test_a_payment_not_yet_final_confirms_nothing(stack: Stack) -> None:
    payer = stack.chain.investors[1]
    inv = stack.crypto_investment(payer.address, 1_000)
    _pay(stack, payer, investment_payment_ref(inv), 1_000)
    wait_for(
        "the payment indexed",
        lambda: stack.sql("SELECT 1 FROM chain_payments WHERE payment_ref = :r", r=stack.investment(inv).payment_ref),
    )
    assert stack.status(inv) == "pending_payment"
    stack.finalize()
    stack.wait_status(inv, "completed", "final")


@pytest.mark.parametrize(("paid_cents", "reason"), [(2_000, "underpaid"), (3_000, "overpaid")])
def test_a_payment_of_the_wrong_amount_is_flagged_and_never_minted(stack: Stack, paid_cents: int, reason: str) -> None:
    payer = stack.chain.investors[2]
    inv = stack.crypto_investment(payer.address, 2_500)
    _pay(stack, payer, investment_payment_ref(inv), paid_cents)
    stack.finalize()
    wait_for(f"{reason} flagged", lambda: (uuid.UUID(str(inv)),) in [(r[0],) for r in _flags(stack, reason)])
    assert stack.status(inv) == "pending_payment" and stack.mints_of(inv) == 0


def test_a_payment_from_another_wallet_or_with_an_unknown_reference_is_flagged(stack: Stack) -> None:
    owner, other = stack.chain.investors[3], stack.chain.investors[4]
    inv = stack.crypto_investment(owner.address, 1_000)
    _pay(stack, other, investment_payment_ref(inv), 1_000)  # the router binds a reference to its payer, not ours
    _pay(stack, other, investment_payment_ref(uuid.uuid4()), 1_000)
    stack.finalize()
    wait_for("wrong payer flagged", lambda: _flags(stack, "wrong_payer"))
    wait_for("unknown reference flagged", lambda: _flags(stack, "unknown_reference"))
    assert stack.status(inv) == "pending_payment" and stack.mints_of(inv) == 0


def test_a_token_the_router_allows_but_the_relayer_does_not_accept_is_flagged(stack: Stack, build: Build) -> None:
    chain = stack.chain
    artifact = build.contracts["TestStablecoin"]
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = transact(chain.w3, chain.admin, factory.constructor(chain.admin.address))
    other_coin = Web3.to_checksum_address(receipt["contractAddress"])
    transact(chain.w3, chain.admin, chain.contracts.router.functions.setTokenAllowed(other_coin, True))
    payer = chain.investors[5]
    inv = stack.crypto_investment(payer.address, 1_000)
    _pay(stack, payer, investment_payment_ref(inv), 1_000, token=other_coin)
    stack.finalize()
    wait_for("disallowed token flagged", lambda: _flags(stack, "disallowed_token"))
    assert stack.status(inv) == "pending_payment" and stack.mints_of(inv) == 0


# ----- the rule itself ---------------------------------------------------------------------------

WALLET, OTHER, COIN = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "cc" * 20


def _paid(**kw: object) -> Paid:
    values: dict[str, object] = {
        "payment_ref": "0x" + "11" * 32,
        "payer": WALLET,
        "project_id": 1,
        "token": COIN,
        "amount": 2_500 * UNITS_PER_CENT,
    }
    return Paid(**(values | kw))  # type: ignore[arg-type]  # test values


EXPECTED = Expected("crypto", WALLET, 1, 2_500, already_paid=False)


@pytest.mark.parametrize(
    ("paid", "expected", "reason"),
    [
        (_paid(), EXPECTED, None),
        (_paid(payer=WALLET.upper().replace("0X", "0x")), EXPECTED, None),
        (_paid(), None, "unknown_reference"),
        (_paid(), Expected("card", None, 1, 2_500, False), "not_a_crypto_investment"),
        (_paid(token=OTHER), EXPECTED, "disallowed_token"),
        (_paid(payer=OTHER), EXPECTED, "wrong_payer"),
        (_paid(project_id=2), EXPECTED, "wrong_project"),
        (_paid(amount=2_500 * UNITS_PER_CENT - 1), EXPECTED, "underpaid"),
        (_paid(amount=2_500 * UNITS_PER_CENT + 1), EXPECTED, "overpaid"),
        (_paid(), Expected("crypto", WALLET, 1, 2_500, True), "paid_twice"),
    ],
)
def test_judge(paid: Paid, expected: Expected | None, reason: str | None) -> None:
    assert judge(paid, expected, frozenset({COIN}), 6) == reason


def test_units_per_cent_is_exact_for_every_supported_decimals() -> None:
    assert units_per_cent(6) == 10_000 and units_per_cent(18) == 10**16 and units_per_cent(2) == 1
    with pytest.raises(ValueError):
        units_per_cent(1)
