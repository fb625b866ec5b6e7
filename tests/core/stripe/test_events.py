"""Event payloads have Stripe's shape: the SDK parses them into its own Event, PaymentIntent, Charge and Dispute
objects, with the fields the relayer reads where Stripe puts them."""

from __future__ import annotations

import time
import uuid

import pytest
import stripe

from core.stripe import events
from core.stripe.metadata import InvestmentMetadata, MetadataMissing
from core.stripe.signature import sign_payload
from core.stripe.simulated import PaymentFacts, UnknownEventType, simulated_event

SECRET = "whsec_test_terra"
META = InvestmentMetadata(uuid.UUID("3f0e7a36-4d6a-4d0e-9b8e-6f1c2a9d5e11"), "0x" + "ab" * 32, 7)
PAYMENT = PaymentFacts(META, amount_cents=2500, payment_intent_id="pi_test_1")


def received(ev: events.Event) -> stripe.Event:
    """What the relayer gets out of the SDK for this event, signed and posted as Stripe would."""
    body = events.event_body(ev)
    event: stripe.Event = stripe.Webhook.construct_event(
        body, sign_payload(body, SECRET, int(time.time())), SECRET, tolerance=300
    )
    return event


def test_a_succeeded_intent_arrives_as_the_sdks_payment_intent_with_our_metadata() -> None:
    ev = received(simulated_event("payment_intent.succeeded", PAYMENT, now=1_700_000_000, event_id="evt_x"))
    assert (ev.id, ev.object, ev.type, ev.api_version, ev.livemode) == (
        "evt_x",
        "event",
        "payment_intent.succeeded",
        stripe.api_version,
        False,
    )
    pi = ev.data.object
    assert isinstance(pi, stripe.PaymentIntent)
    assert (pi.id, pi.amount, pi.currency, pi.status) == ("pi_test_1", 2500, "usd", "succeeded")
    assert pi.amount_received == 2500
    assert isinstance(pi.latest_charge, str) and pi.latest_charge.startswith("ch_")
    assert InvestmentMetadata.from_metadata(pi.metadata.to_dict()) == META


def test_a_failed_payment_carries_the_decline() -> None:
    pi = received(simulated_event("payment_intent.payment_failed", PAYMENT, now=1)).data.object
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error is not None
    error = pi.last_payment_error
    assert (error.type, error.code, error.decline_code) == ("card_error", "card_declined", "generic_decline")


def test_a_canceled_intent() -> None:
    pi = received(simulated_event("payment_intent.canceled", PAYMENT, now=5)).data.object
    assert (pi.status, pi.canceled_at) == ("canceled", 5)


@pytest.mark.parametrize(("refund", "fully"), [(None, True), (1000, False)])
def test_a_refund_arrives_as_a_charge_of_the_same_intent(refund: int | None, fully: bool) -> None:
    ch = received(simulated_event("charge.refunded", PAYMENT, now=1, refund_cents=refund)).data.object
    assert isinstance(ch, stripe.Charge)
    assert (ch.payment_intent, ch.amount, ch.amount_refunded, ch.refunded) == ("pi_test_1", 2500, refund or 2500, fully)
    assert ch.metadata.to_dict() == META.as_metadata()


@pytest.mark.parametrize(
    ("event_type", "outcome", "status"),
    [
        ("charge.dispute.created", "lost", "needs_response"),
        ("charge.dispute.closed", "won", "won"),
        ("charge.dispute.closed", "lost", "lost"),
    ],
)
def test_a_dispute_names_its_charge_and_intent(event_type: str, outcome: str, status: str) -> None:
    ev = simulated_event(event_type, PAYMENT, now=1, dispute_status=outcome)  # type: ignore[arg-type]  # the CLI's str
    dp = received(ev).data.object
    assert isinstance(dp, stripe.Dispute)
    assert (dp.status, dp.payment_intent, dp.amount, dp.currency) == (status, "pi_test_1", 2500, "usd")
    refund = received(simulated_event("charge.refunded", PAYMENT, now=1)).data.object
    assert dp.charge == refund.id  # every event about one payment names the same charge


def test_the_amount_can_be_overridden_to_test_a_mismatch() -> None:
    pi = received(simulated_event("payment_intent.succeeded", PAYMENT, now=1, amount_cents=1)).data.object
    assert pi.amount == 1


def test_simulated_ids_are_stable_per_investment_and_events_are_new_each_time() -> None:
    no_intent = PaymentFacts(META, amount_cents=2500)
    a = simulated_event("payment_intent.succeeded", no_intent, now=1)
    b = simulated_event("payment_intent.succeeded", no_intent, now=1)
    assert a["data"]["object"]["id"] == b["data"]["object"]["id"]
    assert a["id"] != b["id"]


def test_an_unhandled_event_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="payment_intent.created"):
        simulated_event("payment_intent.created", PAYMENT, now=1)


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"investment_id": str(META.investment_id), "project_id": "7"},
        {"investment_id": "nope", "payment_ref": META.payment_ref, "project_id": "7"},
        {"investment_id": str(META.investment_id), "payment_ref": "0x12", "project_id": "7"},
        {"investment_id": str(META.investment_id), "payment_ref": META.payment_ref, "project_id": "seven"},
    ],
)
def test_metadata_that_is_not_ours_is_refused(metadata: dict[str, str] | None) -> None:
    with pytest.raises(MetadataMissing):
        InvestmentMetadata.from_metadata(metadata)
