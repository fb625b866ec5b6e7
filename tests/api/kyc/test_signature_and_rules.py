"""Pure parts of KYC: the webhook signature accepts exactly the bodies signed with the webhook token, the event
key is stable across redeliveries, and a check's state maps to one decision; KYC settings refuse the fake with
real tokens."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from api.kyc.providers.base import Check, WebhookPayloadInvalid, WebhookSignatureInvalid, decide
from api.kyc.providers.onfido import SIGNATURE_HEADER, OnfidoProvider, signature_matches
from api.settings import LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN, ApiSettings
from core.redact import redact
from core.settings import InvalidSettings, load_settings

tokens = st.text(min_size=1, max_size=40)
bodies = st.binary(max_size=300)


def reference(body: bytes, token: str) -> str:
    """HMAC-SHA256 hex as the provider documents it, written out here independently of the code under test."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@given(bodies, tokens)
def test_a_body_signed_with_the_token_verifies_in_either_hex_case(body: bytes, token: str) -> None:
    assert signature_matches(body, reference(body, token), token)
    assert signature_matches(body, reference(body, token).upper(), token)


@given(bodies, bodies, tokens)
def test_a_signature_of_another_body_never_verifies(body: bytes, other: bytes, token: str) -> None:
    assume(body != other)
    assert not signature_matches(body, reference(other, token), token)


@given(bodies, tokens, tokens)
def test_a_signature_under_another_token_never_verifies(body: bytes, token: str, other: str) -> None:
    assume(token != other)
    assert not signature_matches(body, reference(body, other), token)


@given(bodies, tokens, st.text(max_size=80))
def test_any_header_but_the_right_one_is_refused(body: bytes, token: str, header: str) -> None:
    assume(header.strip().lower() != reference(body, token))
    assert not signature_matches(body, header, token)
    assert not signature_matches(body, None, token)


@given(st.text(min_size=1, max_size=40, alphabet=st.characters(codec="ascii", exclude_categories=["Cc"])))
def test_the_event_key_is_the_action_and_object_and_redelivery_keeps_it(check_id: str) -> None:
    provider = OnfidoProvider("http://unused", "api", "hook")
    event = {"payload": {"resource_type": "check", "action": "check.completed", "object": {"id": check_id}}}
    compact = json.dumps(event, separators=(",", ":")).encode()
    spaced = json.dumps(event, indent=2).encode()  # the same event, serialised otherwise
    keys = {
        provider.parse_webhook(body, {SIGNATURE_HEADER.lower(): reference(body, "hook")}).event_id
        for body in (compact, spaced)
    }
    assert keys == {f"check.completed:{check_id}"}


def test_the_header_name_is_matched_whatever_its_case_and_verification_comes_before_parsing() -> None:
    provider = OnfidoProvider("http://unused", "api", "hook")
    with pytest.raises(WebhookSignatureInvalid):
        provider.parse_webhook(b"not json", {})
    with pytest.raises(WebhookPayloadInvalid):
        provider.parse_webhook(b"not json", {"x-sha2-signature": reference(b"not json", "hook")})


@pytest.mark.parametrize(
    ("status", "result", "decision"),
    [
        ("complete", "clear", "verified"),
        ("complete", "consider", "rejected"),
        ("withdrawn", None, "rejected"),
        ("complete", None, None),
        ("in_progress", None, None),
        ("awaiting_applicant", None, None),
        ("paused", None, None),
        ("reopened", "consider", None),
        ("complete", "unidentified", None),
    ],
)
def test_a_check_state_gives_one_decision(status: str, result: str | None, decision: str | None) -> None:
    assert decide(Check("c", "a", status, result)) == decision


def test_a_real_token_needs_its_own_webhook_token_and_refuses_the_fake() -> None:
    with pytest.raises(InvalidSettings, match="KYC_WEBHOOK_TOKEN"):
        load_settings(ApiSettings, kyc_api_token="live-token")
    with pytest.raises(InvalidSettings, match="KYC_WEBHOOK_TOKEN"):
        load_settings(ApiSettings, kyc_api_token="live-token", kyc_webhook_token=LOCAL_FAKE_KYC_WEBHOOK_TOKEN)
    with pytest.raises(InvalidSettings, match="KYC_FAKE"):
        load_settings(ApiSettings, kyc_api_token="live-token", kyc_webhook_token="live-hook", kyc_fake=True)


def test_modes_base_urls_and_tokens() -> None:
    off = load_settings(ApiSettings)
    assert off.kyc_mode == "off"
    fake = load_settings(ApiSettings, kyc_fake=True)
    assert (fake.kyc_mode, fake.kyc_base_url) == ("fake", "http://127.0.0.1:12112")
    assert fake.kyc_tokens() == (LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN)
    real = load_settings(ApiSettings, kyc_api_token="live-tok-123456", kyc_webhook_token="live-hook-654321")
    assert (real.kyc_mode, real.kyc_base_url) == ("provider", "https://api.onfido.com")
    assert real.kyc_tokens() == ("live-tok-123456", "live-hook-654321")
    eu = load_settings(
        ApiSettings,
        kyc_api_token="eu-token-1234",
        kyc_webhook_token="eu-hook-5678",
        kyc_api_base="https://api.eu.onfido.com/",
    )
    assert eu.kyc_base_url == "https://api.eu.onfido.com"


def test_the_tokens_are_scrubbed_from_any_text_once_read() -> None:
    load_settings(ApiSettings, kyc_api_token="live-tok-scrub-77", kyc_webhook_token="live-hook-scrub-88")
    text = redact("calling with live-tok-scrub-77 and live-hook-scrub-88")
    assert "live-tok-scrub-77" not in text and "live-hook-scrub-88" not in text
