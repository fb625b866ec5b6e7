"""`terra stripe simulate`: an event of any handled type about a card investment of the database, signed as
Stripe signs it, posted to the webhook URL; the relayer's answer printed, and a non-2xx answer is exit code 1."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.investments import attach_payment_intent, create_investment
from core.stripe.metadata import InvestmentMetadata
from core.stripe.settings import LOCAL_WEBHOOK_SECRET, StripeSettings
from terra.cli import app
from tests.terra.fake_stripe.receiver import WebhookReceiver

runner = CliRunner()


@pytest.fixture
def card_investment(clean_db: Engine) -> uuid.UUID:
    with Session(clean_db) as session, session.begin():
        inv = create_investment(
            session, chain_id=31337, project_id=2, amount_cents=4200, method="card", user_id=uuid.uuid4()
        )
        attach_payment_intent(session, inv, "pi_from_the_api_1")
        return inv.id


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(LOCAL_WEBHOOK_SECRET) as running:
        yield running


def simulate(database_url: str, *args: str, **env: str) -> Any:
    stripe_unset = {name.upper(): None for name in StripeSettings.model_fields if name.startswith("stripe_")}
    return runner.invoke(app, ["stripe", "simulate", *args], env=stripe_unset | {"DATABASE_URL": database_url} | env)


@pytest.mark.parametrize(
    ("event_type", "object_type", "status"),
    [
        ("payment_intent.succeeded", "payment_intent", "succeeded"),
        ("payment_intent.payment_failed", "payment_intent", "requires_payment_method"),
        ("payment_intent.canceled", "payment_intent", "canceled"),
        ("charge.refunded", "charge", "succeeded"),
        ("charge.dispute.created", "dispute", "needs_response"),
    ],
)
def test_each_event_type_is_posted_signed_about_the_investment(
    database_url: str,
    card_investment: uuid.UUID,
    receiver: WebhookReceiver,
    event_type: str,
    object_type: str,
    status: str,
) -> None:
    result = simulate(database_url, str(card_investment), "--event", event_type, "--url", receiver.url)
    assert result.exit_code == 0, result.output
    [got] = receiver.received
    assert got.verified
    event = json.loads(got.body)
    obj = event["data"]["object"]
    assert (event["type"], obj["object"], obj["status"], obj["amount"]) == (event_type, object_type, status, 4200)
    assert event["id"] in result.output and "HTTP 200" in result.output
    intent = obj["id"] if object_type == "payment_intent" else obj["payment_intent"]
    assert intent == "pi_from_the_api_1"
    if object_type != "dispute":
        meta = InvestmentMetadata.from_metadata(obj["metadata"])
        assert (meta.investment_id, meta.project_id) == (card_investment, 2)


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_dispute_closes_as_told(
    database_url: str, card_investment: uuid.UUID, receiver: WebhookReceiver, outcome: str
) -> None:
    args = [str(card_investment), "--event", "charge.dispute.closed", "--dispute-status", outcome]
    result = simulate(database_url, *args, "--url", receiver.url)
    assert result.exit_code == 0, result.output
    assert json.loads(receiver.received[0].body)["data"]["object"]["status"] == outcome


def test_an_event_id_can_be_replayed_and_amounts_overridden(
    database_url: str, card_investment: uuid.UUID, receiver: WebhookReceiver
) -> None:
    for _ in range(2):
        args = [str(card_investment), "--event-id", "evt_same", "--amount", "1", "--url", receiver.url]
        assert simulate(database_url, *args).exit_code == 0
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["id"] for b in bodies] == ["evt_same", "evt_same"]
    assert all(b["data"]["object"]["amount"] == 1 for b in bodies)


def test_a_relayer_that_refuses_makes_the_command_fail(
    database_url: str, card_investment: uuid.UUID, receiver: WebhookReceiver
) -> None:
    receiver.statuses.append(400)
    result = simulate(database_url, str(card_investment), "--url", receiver.url)
    assert result.exit_code == 1 and "HTTP 400" in result.output


def test_an_unknown_investment_is_one_line_and_posts_nothing(
    database_url: str, clean_db: Engine, receiver: WebhookReceiver
) -> None:
    missing = uuid.uuid4()
    result = simulate(database_url, str(missing), "--url", receiver.url)
    assert result.exit_code == 1 and f"no investment {missing}" in result.output
    assert receiver.received == []


def test_a_crypto_investment_gets_no_stripe_event(
    database_url: str, clean_db: Engine, receiver: WebhookReceiver
) -> None:
    with Session(clean_db) as session, session.begin():
        wallet = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
        inv = create_investment(
            session, chain_id=31337, project_id=1, amount_cents=1000, method="crypto", wallet=wallet
        )
        investment_id = inv.id
    result = simulate(database_url, str(investment_id), "--url", receiver.url)
    assert result.exit_code == 1 and "Stripe events are for cards" in result.output
    assert receiver.received == []


def test_refused_when_real_stripe_is_configured(
    database_url: str, card_investment: uuid.UUID, receiver: WebhookReceiver
) -> None:
    key = "sk_live_" + "q" * 24
    result = simulate(
        database_url,
        str(card_investment),
        "--url",
        receiver.url,
        STRIPE_SECRET_KEY=key,
        STRIPE_WEBHOOK_SECRET="whsec_real",
    )
    assert result.exit_code == 1 and "local test mode only" in result.output
    assert key not in result.output and receiver.received == []


def test_an_endpoint_that_is_down_is_one_line(database_url: str, card_investment: uuid.UUID) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = simulate(database_url, str(card_investment), "--url", f"http://127.0.0.1:{port}/webhooks/stripe")
    assert (
        result.exit_code == 1 and f"endpoint http://127.0.0.1:{port} could not be reached" in result.output
    )  # URLs shown as host:port
