"""Whatever the sequence of calls, the fake's account stays one Stripe could have: an intent succeeds at most once
and only with a succeeded charge, refunds never exceed the charge, and each change emits exactly its one event."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.stripe.events import Event
from terra.local.fake_stripe.cards import TEST_PAYMENT_METHODS
from terra.local.fake_stripe.errors import ApiError
from terra.local.fake_stripe.ledger import Ledger

INTENTS = 2
AMOUNT = 2500
# Refund amounts around the edges that matter for a 2500-cent charge (none: the rest of it).
REFUNDS = [None, -1, 0, 1, 1000, 1499, 1500, 2499, 2500, 2501, 5000]
CARDS = sorted(TEST_PAYMENT_METHODS)
DISPUTES = ["needs_response", "won", "lost"]
ARGUMENTS: dict[str, list[Any]] = {"confirm": CARDS, "cancel": [None], "refund": REFUNDS, "dispute": DISPUTES}
# Confirms and refunds drawn more often than cancels, which end an intent's story early.
operations = st.lists(
    st.tuples(
        st.sampled_from(["confirm", "confirm", "refund", "refund", "dispute", "cancel"]),
        st.integers(0, INTENTS - 1),
        st.integers(0, 1000),
    ).map(lambda t: (t[0], t[1], ARGUMENTS[t[0]][t[2] % len(ARGUMENTS[t[0]])])),
    max_size=25,
)


def apply(ledger: Ledger, pi_id: str, op: str, arg: Any) -> None:
    if op == "confirm":
        ledger.confirm_payment_intent(pi_id, {"payment_method": arg})
    elif op == "cancel":
        ledger.cancel_payment_intent(pi_id, {})
    elif op == "refund":
        ledger.create_refund({"payment_intent": pi_id} | ({} if arg is None else {"amount": str(arg)}))
    else:
        ledger.dispute_payment(pi_id, arg)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_any_sequence_of_calls_keeps_the_account_consistent(ops: list[tuple[str, int, Any]]) -> None:
    published: list[Event] = []
    ledger = Ledger(published.append)
    ids = [ledger.create_payment_intent({"amount": str(AMOUNT), "currency": "usd"})["id"] for _ in range(INTENTS)]
    for op, index, arg in ops:
        try:
            apply(ledger, ids[index], op, arg)
        except ApiError as exc:
            assert exc.status in (400, 402, 404)
    by_type = Counter((e["type"], e["data"]["object"]["id"]) for e in published)
    for pi_id in ids:
        pi = ledger.payment_intent(pi_id)
        charges = [c for c in ledger.charges.values() if c["payment_intent"] == pi_id]
        paid = [c for c in charges if c["status"] == "succeeded"]
        assert len(paid) == (1 if pi["status"] == "succeeded" else 0)
        assert by_type["payment_intent.succeeded", pi_id] == len(paid)
        assert by_type["payment_intent.canceled", pi_id] == (1 if pi["status"] == "canceled" else 0)
        failed = [c for c in charges if c["status"] == "failed"]
        assert by_type["payment_intent.payment_failed", pi_id] == len(failed)
        for ch in paid:
            refunds = [r for r in ledger.refunds.values() if r["charge"] == ch["id"]]
            assert 0 <= ch["amount_refunded"] == sum(r["amount"] for r in refunds) <= ch["amount"]
            assert ch["refunded"] == (ch["amount_refunded"] == ch["amount"])
            assert by_type["charge.refunded", ch["id"]] == len(refunds)
            disputes = [d for d in ledger.disputes.values() if d["charge"] == ch["id"]]
            assert len(disputes) <= 1 and ch["disputed"] == bool(disputes)
            for d in disputes:
                assert by_type["charge.dispute.created", d["id"]] == 1
                assert by_type["charge.dispute.closed", d["id"]] == (1 if d["status"] in ("won", "lost") else 0)
