"""The project's Stripe calls, through the real SDK, against the fake: PaymentIntents with Stripe's test cards and
test PaymentMethods, refunds, and errors the SDK raises as its own exception classes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import stripe

from core.stripe.metadata import InvestmentMetadata
from terra.local.fake_stripe import FakeStripe

METADATA = InvestmentMetadata(uuid.uuid4(), "0x" + "cd" * 32, 3).as_metadata()


def create(client: stripe.StripeClient, amount: int = 2500, **extra: Any) -> stripe.PaymentIntent:
    params: dict[str, Any] = {
        "amount": amount,
        "currency": "usd",
        "metadata": METADATA,
        "automatic_payment_methods": {"enabled": True},
    }
    return client.v1.payment_intents.create(params=params | extra)  # type: ignore[arg-type]  # a plain dict


def card(number: str) -> dict[str, Any]:
    """Card details as Stripe.js posts them when the web app confirms."""
    return {
        "payment_method_data": {
            "type": "card",
            "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
        }
    }


def test_a_created_intent_waits_for_a_payment_method_and_keeps_our_metadata(client: stripe.StripeClient) -> None:
    pi = create(client)
    assert pi.id.startswith("pi_") and pi.client_secret is not None and pi.client_secret.startswith(pi.id + "_secret_")
    assert (pi.status, pi.amount, pi.currency, pi.latest_charge) == ("requires_payment_method", 2500, "usd", None)
    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.metadata.to_dict() == METADATA


@pytest.mark.parametrize(
    "confirm",
    [{"payment_method": "pm_card_visa"}, card("4242 4242 4242 4242"), card("5555555555554444")],
    ids=["pm_card_visa", "4242", "mastercard"],
)
def test_a_good_card_succeeds(client: stripe.StripeClient, confirm: dict[str, Any]) -> None:
    pi = create(client)
    done = client.v1.payment_intents.confirm(pi.id, params=confirm)  # type: ignore[arg-type]  # a plain dict
    assert (done.status, done.amount_received) == ("succeeded", 2500)
    assert done.latest_charge is not None
    charge = client.v1.charges.retrieve(str(done.latest_charge))
    assert (charge.status, charge.paid, charge.payment_intent, charge.amount) == ("succeeded", True, pi.id, 2500)
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


@pytest.mark.parametrize(
    ("confirm", "code", "decline_code"),
    [
        ({"payment_method": "pm_card_chargeDeclined"}, "card_declined", "generic_decline"),
        ({"payment_method": "pm_card_chargeDeclinedInsufficientFunds"}, "card_declined", "insufficient_funds"),
        (card("4000000000000002"), "card_declined", "generic_decline"),
        (card("4000 0000 0000 9995"), "card_declined", "insufficient_funds"),
        (card("4000000000000069"), "expired_card", None),
        (card("4111111111111111"), "card_declined", "test_mode_live_card"),  # a real card number in test mode
        (card("4242424242424241"), "incorrect_number", None),
    ],
    ids=["pm-declined", "pm-insufficient", "0002", "9995", "expired", "live-card", "bad-luhn"],
)
def test_a_declined_card_raises_the_sdks_card_error(
    client: stripe.StripeClient, confirm: dict[str, Any], code: str, decline_code: str | None
) -> None:
    pi = create(client)
    with pytest.raises(stripe.CardError) as info:
        client.v1.payment_intents.confirm(pi.id, params=confirm)  # type: ignore[arg-type]  # a plain dict
    error = info.value
    assert (error.http_status, error.code) == (402, code)
    assert error.error is not None and error.error.decline_code == decline_code
    assert error.error.payment_intent is not None and error.error.payment_intent.id == pi.id
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert after.last_payment_error is not None and after.last_payment_error.code == code
    # and the payer may try another card
    assert client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}).status == "succeeded"


def test_create_and_confirm_in_one_call(client: stripe.StripeClient) -> None:
    assert create(client, confirm=True, payment_method="pm_card_visa").status == "succeeded"


def test_a_succeeded_intent_cannot_be_confirmed_again_nor_canceled(client: stripe.StripeClient) -> None:
    pi = create(client, confirm=True, payment_method="pm_card_visa")
    calls: list[Callable[[], object]] = [
        lambda: client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}),
        lambda: client.v1.payment_intents.cancel(pi.id),
    ]
    for call in calls:
        with pytest.raises(stripe.InvalidRequestError) as info:
            call()
        assert (info.value.http_status, info.value.code) == (400, "payment_intent_unexpected_state")


def test_a_waiting_intent_can_be_canceled(client: stripe.StripeClient) -> None:
    pi = create(client)
    canceled = client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "abandoned"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")


def test_a_full_then_partial_refund_sequence(client: stripe.StripeClient) -> None:
    pi = create(client, confirm=True, payment_method="pm_card_visa")
    first = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000})
    assert (first.status, first.amount, first.payment_intent) == ("succeeded", 1000, pi.id)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1501})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    rest = client.v1.refunds.create(params={"payment_intent": pi.id})
    assert rest.amount == 1500
    charge = client.v1.charges.retrieve(str(pi.latest_charge))
    assert (charge.amount_refunded, charge.refunded) == (2500, True)
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert again.value.code == "charge_already_refunded"
    assert client.v1.refunds.retrieve(first.id).amount == 1000


def test_an_unpaid_intent_cannot_be_refunded(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.refunds.create(params={"payment_intent": create(client).id})
    assert info.value.http_status == 400


def test_unknown_ids_are_resource_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.retrieve("pi_doesnotexist")
    assert (info.value.http_status, info.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as pm:
        client.v1.payment_intents.confirm(create(client).id, params={"payment_method": "pm_nope"})
    assert (pm.value.http_status, pm.value.code, pm.value.param) == (400, "resource_missing", "payment_method")


@pytest.mark.parametrize(
    ("params", "param"),
    [({"amount": 49, "currency": "usd"}, "amount"), ({"currency": "usd"}, "amount"), ({"amount": 1000}, "currency")],
)
def test_bad_parameters_are_invalid_requests_naming_the_parameter(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]  # a plain dict
    assert (info.value.http_status, info.value.param) == (400, param)


def test_a_repeated_idempotency_key_replays_the_first_answer(client: stripe.StripeClient) -> None:
    options = {"idempotency_key": "investment-1"}
    a = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"}, options=options)  # type: ignore[arg-type]  # a plain dict
    b = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"}, options=options)  # type: ignore[arg-type]  # a plain dict
    assert a.id == b.id


@pytest.mark.parametrize("key", ["sk_live_" + "x" * 24, "rk_live_" + "x" * 24, "not-a-key"])
def test_live_or_malformed_keys_are_refused(fake: FakeStripe, key: str) -> None:
    live = stripe.StripeClient(key, base_addresses={"api": fake.url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError) as info:
        live.v1.payment_intents.retrieve("pi_x")
    assert key not in str(info.value)


def test_no_key_at_all_is_refused(fake: FakeStripe) -> None:
    answer = httpx.get(f"{fake.url}/v1/payment_intents/pi_x")
    assert answer.status_code == 401 and answer.json()["error"]["type"] == "invalid_request_error"


def test_an_unknown_path_says_it_is_the_fake(client: stripe.StripeClient, fake: FakeStripe) -> None:
    answer = httpx.get(f"{fake.url}/v1/customers", headers={"Authorization": "Bearer sk_test_x"})
    assert answer.status_code == 404 and "FAKE Stripe" in answer.json()["error"]["message"]


def test_a_browser_confirms_with_the_publishable_key_and_the_client_secret(
    client: stripe.StripeClient, fake: FakeStripe
) -> None:
    """As Stripe.js does from the web app: card details posted form-encoded, next to the intent's client secret."""
    pi = create(client)
    browser = {"Authorization": "Bearer pk_test_terra_local_fake_stripe"}
    form = {
        "client_secret": str(pi.client_secret),
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4242424242424242",
    }
    preflight = httpx.options(f"{fake.url}/v1/payment_intents/{pi.id}/confirm")
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    wrong = httpx.post(
        f"{fake.url}/v1/payment_intents/{pi.id}/confirm", data=form | {"client_secret": "x"}, headers=browser
    )
    assert wrong.status_code == 404
    answer = httpx.post(f"{fake.url}/v1/payment_intents/{pi.id}/confirm", data=form, headers=browser)
    assert answer.status_code == 200 and answer.json()["status"] == "succeeded"
    create_with_pk = httpx.post(
        f"{fake.url}/v1/payment_intents", data={"amount": "1000", "currency": "usd"}, headers=browser
    )
    assert create_with_pk.status_code == 401
