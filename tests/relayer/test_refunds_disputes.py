"""Refunds and disputes on real anvil: before the mint the intent is cancelled; after it, an open dispute freezes
the investment's tokens, a dispute won releases them, a refund or a dispute lost claws them back to the treasury."""

from __future__ import annotations

import uuid

from web3 import Web3

from relayer.outbox import worker
from tests.relayer.support import BIG_PROJECT, Stack, wait_for


def _balance(stack: Stack, account: str) -> int:
    own = stack.chain.contracts.ownership
    return int(own.functions.balanceOf(Web3.to_checksum_address(account), BIG_PROJECT).call())


def _frozen(stack: Stack, account: str) -> int:
    own = stack.chain.contracts.ownership
    return int(own.functions.getFrozenTokens(Web3.to_checksum_address(account), BIG_PROJECT).call())


def _minted(stack: Stack, amount: int) -> tuple[uuid.UUID, str]:
    inv = stack.card_investment(amount)
    stack.post(stack.event(inv, "payment_intent.succeeded"))
    stack.wait_status(inv, "completed", "final")
    recipient = stack.investment(inv).recipient
    assert recipient is not None
    return inv, recipient


def test_a_refund_after_the_mint_claws_the_tokens_back_to_the_treasury(stack: Stack) -> None:
    inv, holder = _minted(stack, 1_200)
    treasury_before = _balance(stack, stack.chain.treasury.address)
    stack.post(stack.event(inv, "charge.refunded"))
    stack.wait_status(inv, "refunded")
    assert _balance(stack, holder) == 0
    assert _balance(stack, stack.chain.treasury.address) == treasury_before + 1_200
    assert stack.mints_of(inv) == 1
    history = stack.history(inv)
    assert history[-1] == "refunded" and "completed" in history


def test_an_open_dispute_freezes_the_tokens_and_a_dispute_won_releases_them(stack: Stack) -> None:
    inv, holder = _minted(stack, 1_300)
    stack.post(stack.event(inv, "charge.dispute.created"))
    stack.wait_status(inv, "disputed")
    wait_for("the freeze on chain", lambda: _frozen(stack, holder) == 1_300)
    stack.post(stack.event(inv, "charge.dispute.closed", dispute_status="won"))
    stack.wait_status(inv, "completed", "final")
    wait_for("the freeze released", lambda: _frozen(stack, holder) == 0)
    assert _balance(stack, holder) == 1_300


def test_a_dispute_lost_claws_the_frozen_tokens_back(stack: Stack) -> None:
    inv, holder = _minted(stack, 1_400)
    stack.post(stack.event(inv, "charge.dispute.created"))
    wait_for("the freeze on chain", lambda: _frozen(stack, holder) == 1_400)
    stack.post(stack.event(inv, "charge.dispute.closed", dispute_status="lost"))
    stack.wait_status(inv, "refunded")
    assert _balance(stack, holder) == 0 and _frozen(stack, holder) == 0


def test_a_dispute_lost_releases_the_freeze_on_the_payers_other_tokens(stack: Stack) -> None:
    user = uuid.uuid4()
    disputed, other = stack.card_investment(1_500, user_id=user), stack.card_investment(1_600, user_id=user)
    for inv in (disputed, other):
        stack.post(stack.event(inv, "payment_intent.succeeded"))
        stack.wait_status(inv, "completed", "final")
    holder = stack.investment(disputed).recipient
    assert holder is not None and holder == stack.investment(other).recipient  # one custodial address per payer
    stack.post(stack.event(disputed, "charge.dispute.created"))
    wait_for("the disputed units frozen", lambda: _frozen(stack, holder) == 1_500)
    stack.post(stack.event(disputed, "charge.dispute.closed", dispute_status="lost"))
    stack.wait_status(disputed, "refunded")
    wait_for("nothing left frozen", lambda: _frozen(stack, holder) == 0)
    assert _balance(stack, holder) == 1_600


def test_a_refund_before_the_worker_sends_the_mint_cancels_the_intent(stack: Stack) -> None:
    """Driven pass by pass (no relayer running): the payment is confirmed, then refunded before the outbox drains."""
    with stack.driven() as ctx:
        inv = stack.card_investment(1_100)

        for event in (stack.event(inv, "payment_intent.succeeded"), stack.event(inv, "charge.refunded")):
            stack.store(ctx, event)
            worker.process_stripe_events(ctx.sessions, ctx.custody, None)
            if event["type"] == "payment_intent.succeeded":
                assert stack.status(inv) == "paid"
                assert stack.sql("SELECT status FROM mint_intents WHERE investment_id = :i", i=inv) == [("pending",)]
        assert stack.status(inv) == "refunded"
        assert stack.sql("SELECT status FROM mint_intents WHERE investment_id = :i", i=inv) == [("cancelled",)]
        assert worker.drain_mint_intents(ctx.sessions, ctx.chain, 10) == 0
    assert stack.mints_of(inv) == 0
