"""The payment rules: what an investment's facts and its mint call for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relayer.payments.rules import Facts, Mint, owed

AMOUNT = 1_000


def facts(**kw: object) -> Facts:
    return Facts(**({"amount_cents": AMOUNT, "paid": True} | kw))  # type: ignore[arg-type]  # test values


@pytest.mark.parametrize(
    ("f", "status", "actions"),
    [
        (facts(paid=False), "pending_payment", set()),
        (facts(paid=False, failures=1), "failed", set()),
        (facts(paid=False, cancelled=True), "cancelled", set()),
        (facts(), "paid", {"mint"}),
        (facts(mint=Mint.PENDING), "paid", set()),
        (facts(mint=Mint.SUBMITTED), "minting", set()),
        (facts(mint=Mint.INDEXED), "completed", set()),
        (facts(mint=Mint.FINAL), "final", set()),
        (facts(refunded_cents=AMOUNT), "refunded", set()),
        (facts(refunded_cents=AMOUNT, mint=Mint.PENDING), "refunded", {"cancel_mint"}),
        (facts(refunded_cents=AMOUNT, mint=Mint.SUBMITTED), "minting", set()),
        (facts(refunded_cents=AMOUNT, mint=Mint.INDEXED), "completed", {"clawback"}),
        (facts(refunded_cents=AMOUNT, mint=Mint.FINAL, clawed_back=True), "refunded", {"clawback"}),
        (facts(dispute="open"), "disputed", set()),
        (facts(dispute="open", mint=Mint.PENDING), "disputed", {"cancel_mint"}),
        (facts(dispute="open", mint=Mint.FINAL), "disputed", {"freeze_changed"}),
        (facts(dispute="won"), "paid", {"mint"}),
        (facts(dispute="won", mint=Mint.FINAL), "final", {"freeze_changed"}),
        (facts(dispute="lost"), "refunded", set()),
        (facts(dispute="lost", mint=Mint.FINAL), "disputed", {"clawback", "freeze_changed"}),
        (facts(dispute="lost", mint=Mint.FINAL, clawed_back=True), "refunded", {"clawback", "freeze_changed"}),
        (facts(failure_reason="mint reverted: SupplyCapExceeded(2, 5000, 6000)"), "failed", {"refund"}),
        (facts(paid=False, failure_reason="amount_mismatch"), "failed", set()),
        (facts(cancelled=True), "paid", {"mint"}),  # Stripe cannot cancel a succeeded PaymentIntent
    ],
)
def test_owed(f: Facts, status: str, actions: set[str]) -> None:
    o = owed(f)
    done = {a for a in ("mint", "cancel_mint", "freeze_changed", "clawback", "refund") if getattr(o, a)}
    assert (o.status, done) == (status, actions)


def test_a_partial_refund_is_flagged_for_an_admin_and_the_tokens_stay() -> None:
    o = owed(facts(refunded_cents=AMOUNT // 2, mint=Mint.FINAL))
    assert (o.status, o.flag, o.clawback) == ("final", "partial_refund", False)


@given(
    refunded=st.integers(0, 2 * AMOUNT),
    dispute=st.sampled_from([None, "open", "won", "lost"]),
    cancelled=st.booleans(),
    failure=st.sampled_from([None, "mint reverted: ProjectIsExited(1)"]),
    mint=st.sampled_from(list(Mint)),
)
def test_never_a_second_mint_and_never_a_mint_for_a_blocked_payment(
    refunded: int, dispute: str | None, cancelled: bool, failure: str | None, mint: Mint
) -> None:
    o = owed(facts(refunded_cents=refunded, dispute=dispute, cancelled=cancelled, failure_reason=failure, mint=mint))
    if o.mint:
        assert mint is Mint.NONE, "an intent is asked for only when none is alive and nothing is on chain"
        assert refunded == 0 and dispute in (None, "won") and failure is None
    if mint.on_chain and (refunded >= AMOUNT or dispute == "lost"):
        assert o.clawback
    assert not (o.mint and o.cancel_mint)
