"""The fake delivers each state change as a signed webhook, as Stripe does: verified by the real SDK, retried after
a non-2xx answer or a connection error until the schedule runs out, every attempt in its delivery log."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
import stripe

from core.settings import load_settings
from core.stripe.client import stripe_client
from core.stripe.metadata import InvestmentMetadata
from core.stripe.settings import StripeSettings
from terra.local.fake_stripe import FakeStripe, FakeStripeRefused
from tests.terra.fake_stripe.conftest import FAST_RETRIES, SECRET
from tests.terra.fake_stripe.receiver import WebhookReceiver, wait_for

METADATA = InvestmentMetadata.from_metadata(
    {"investment_id": "6b1f0c3e-2d4a-4f7e-9a5b-0c8d7e6f5a4b", "payment_ref": "0x" + "ee" * 32, "project_id": "2"}
)


def sdk(fake: FakeStripe) -> stripe.StripeClient:
    return stripe_client(load_settings(StripeSettings, stripe_api_base=fake.url, stripe_secret_key=None))


def pay(client: stripe.StripeClient, payment_method: str = "pm_card_visa") -> stripe.PaymentIntent:
    params: Any = {"amount": 1000, "currency": "usd", "metadata": METADATA.as_metadata()}
    pi = client.v1.payment_intents.create(params=params)
    try:
        return client.v1.payment_intents.confirm(pi.id, params={"payment_method": payment_method})
    except stripe.CardError:
        return client.v1.payment_intents.retrieve(pi.id)


def delivered(fake: FakeStripe, count: int) -> list[dict[str, Any]]:
    log = fake.events()
    return log if len(log) >= count and all(e["state"] == "delivered" for e in log) else []


def test_a_payment_is_delivered_signed_and_verified_by_the_sdk() -> None:
    with WebhookReceiver(SECRET) as receiver, FakeStripe(webhook_url=receiver.url, webhook_secret=SECRET) as fake:
        pi = pay(sdk(fake))
        [entry] = wait_for(lambda: delivered(fake, 1))
    [got] = receiver.received
    assert got.verified
    event = json.loads(got.body)
    assert (event["type"], event["data"]["object"]["id"]) == ("payment_intent.succeeded", pi.id)
    assert entry["id"] == event["id"]
    assert InvestmentMetadata.from_metadata(event["data"]["object"]["metadata"]) == METADATA


def test_a_failing_endpoint_gets_the_event_again_and_takes_it_on_the_third_attempt() -> None:
    with (
        WebhookReceiver(SECRET, statuses=[500, 500]) as receiver,
        FakeStripe(webhook_url=receiver.url, webhook_secret=SECRET, retry_delays=FAST_RETRIES) as fake,
    ):
        pay(sdk(fake))
        [entry] = wait_for(lambda: delivered(fake, 1))
    assert [a["status"] for a in entry["attempts"]] == [500, 500, 200]
    assert entry["last_status"] == 200
    assert len(receiver.received) == 3 and all(r.verified for r in receiver.received)
    assert len({r.body for r in receiver.received}) == 1  # the same event, byte for byte, signed anew each time


def test_an_endpoint_that_never_answers_2xx_ends_failed_after_the_schedule() -> None:
    with (
        WebhookReceiver(SECRET, statuses=[503] * 10) as receiver,
        FakeStripe(webhook_url=receiver.url, webhook_secret=SECRET, retry_delays=FAST_RETRIES) as fake,
    ):
        pay(sdk(fake))
        [entry] = wait_for(lambda: [e for e in fake.events() if e["state"] == "failed"])
    assert [a["status"] for a in entry["attempts"]] == [503] * (len(FAST_RETRIES) + 1)


def test_an_endpoint_that_is_down_is_retried_until_it_comes_up() -> None:
    with socket.socket() as probe:  # a port nobody listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/webhooks/stripe"
    with FakeStripe(webhook_url=url, webhook_secret=SECRET, retry_delays=FAST_RETRIES) as fake:
        pay(sdk(fake))
        [entry] = wait_for(lambda: [e for e in fake.events() if e["state"] == "failed"])
    assert len(entry["attempts"]) == len(FAST_RETRIES) + 1
    assert all(a["status"] is None and "Connect" in a["error"] for a in entry["attempts"])


def test_each_state_change_emits_its_event() -> None:
    with WebhookReceiver(SECRET) as receiver, FakeStripe(webhook_url=receiver.url, webhook_secret=SECRET) as fake:
        client = sdk(fake)
        paid = pay(client)
        pay(client, "pm_card_chargeDeclined")
        waiting = client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
        client.v1.payment_intents.cancel(waiting.id)
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 400})
        disputed = pay(client, "pm_card_createDispute")
        httpx.post(f"{fake.url}/_fake/disputes", data={"payment_intent": disputed.id, "status": "won"})
        log = wait_for(lambda: delivered(fake, 6))
    assert [e["type"] for e in log] == [
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.refunded",
        "payment_intent.succeeded",
        "charge.dispute.created",
        "charge.dispute.closed",
    ]
    bodies = [json.loads(r.body) for r in receiver.received]
    refund = next(b for b in bodies if b["type"] == "charge.refunded")["data"]
    assert (refund["object"]["amount_refunded"], refund["object"]["refunded"]) == (400, False)
    assert refund["previous_attributes"] == {"amount_refunded": 0, "refunded": False}
    closed = next(b for b in bodies if b["type"] == "charge.dispute.closed")["data"]["object"]
    assert (closed["status"], closed["payment_intent"]) == ("won", disputed.id)
    failed = next(b for b in bodies if b["type"] == "payment_intent.payment_failed")["data"]["object"]
    assert failed["last_payment_error"]["decline_code"] == "generic_decline"


def test_the_delivery_log_is_served_for_debugging() -> None:
    with WebhookReceiver(SECRET) as receiver, FakeStripe(webhook_url=receiver.url, webhook_secret=SECRET) as fake:
        pay(sdk(fake))
        wait_for(lambda: delivered(fake, 1))
        answer = httpx.get(f"{fake.url}/_fake/events").json()
    assert [e["type"] for e in answer["data"]] == ["payment_intent.succeeded"]


def test_the_fake_refuses_to_run_with_a_stripe_key_set() -> None:
    settings = load_settings(StripeSettings, stripe_secret_key="sk_test_" + "a" * 24, stripe_api_base=None)
    with pytest.raises(FakeStripeRefused, match="STRIPE_SECRET_KEY"):
        FakeStripe.from_settings(settings)
    live = load_settings(StripeSettings, stripe_secret_key="sk_live_" + "a" * 24, stripe_api_base=None)
    with pytest.raises(FakeStripeRefused):
        FakeStripe.from_settings(live)


def test_the_fake_listens_on_loopback_only() -> None:
    with pytest.raises(FakeStripeRefused, match="loopback"):
        FakeStripe(webhook_url=None, webhook_secret=SECRET, host="0.0.0.0")


def test_from_settings_listens_where_the_sdk_is_told_to_look(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name in StripeSettings.model_fields:
        if name.startswith("stripe_"):
            monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{port}")
    settings = load_settings(StripeSettings)
    with FakeStripe.from_settings(settings, webhook_url=None) as fake:
        assert fake.url == f"http://127.0.0.1:{port}"
        assert stripe_client(settings).v1.payment_intents.create(params={"amount": 100, "currency": "usd"}).id


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_loopback_names_are_accepted(host: str) -> None:
    with FakeStripe(webhook_url=None, webhook_secret=SECRET, host=host) as fake:
        assert httpx.get(f"{fake.url}/_fake/events").status_code == 200


def test_a_host_name_is_refused_as_it_could_resolve_anywhere() -> None:
    with pytest.raises(FakeStripeRefused):
        FakeStripe(webhook_url=None, webhook_secret=SECRET, host="stripe.example")
