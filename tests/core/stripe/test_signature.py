"""Our Stripe-Signature is the one Stripe computes: the real SDK's verifier accepts it, and refuses it for a body,
secret or time that is not the signed one."""

from __future__ import annotations

import time

import pytest
import stripe
from hypothesis import given
from hypothesis import strategies as st

from core.stripe.signature import sign_payload

SECRET = "whsec_test_terra"
BODY = b'{\n  "id": "evt_1",\n  "object": "event",\n  "type": "payment_intent.succeeded",\n  "data": {"object": {}}\n}'


def test_a_signed_payload_is_accepted_by_the_sdk() -> None:
    header = sign_payload(BODY, SECRET, int(time.time()))
    event = stripe.Webhook.construct_event(BODY, header, SECRET, tolerance=300)
    assert event.id == "evt_1" and event.type == "payment_intent.succeeded"


def test_the_header_is_the_one_the_sdk_itself_would_generate() -> None:
    now = int(time.time())
    expected = stripe.WebhookSignature.generate_signature_header(BODY.decode(), SECRET, now)
    assert sign_payload(BODY, SECRET, now) == expected


@pytest.mark.parametrize(
    ("body", "secret", "age"),
    [
        (BODY.replace(b"evt_1", b"evt_2"), SECRET, 0),  # tampered body
        (BODY, "whsec_someone_else", 0),  # wrong secret
        (BODY, SECRET, 301),  # older than the 300 s tolerance
    ],
    ids=["tampered-body", "wrong-secret", "stale"],
)
def test_a_signature_that_does_not_match_is_refused(body: bytes, secret: str, age: int) -> None:
    header = sign_payload(BODY, secret, int(time.time()) - age)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, SECRET, tolerance=300)


@given(payload=st.text(min_size=1), flip=st.integers(min_value=0))
def test_any_body_verifies_signed_and_fails_with_one_character_changed(payload: str, flip: int) -> None:
    body = payload.encode()
    now = int(time.time())
    header = sign_payload(body, SECRET, now)
    stripe.WebhookSignature.verify_header(body, header, SECRET, tolerance=300)
    i = flip % len(payload)
    changed = (payload[:i] + ("a" if payload[i] != "a" else "b") + payload[i + 1 :]).encode()
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(changed, header, SECRET, tolerance=300)
