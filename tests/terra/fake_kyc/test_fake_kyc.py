"""The FAKE KYC provider answers the API's own Onfido-style client as the provider would, completes checks after
its delay (or when told), posts webhooks the API's verifier accepts, retries them, and stays off with real tokens."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.kyc.providers.base import ProviderRefusedInput, ProviderUnavailable, decide
from api.kyc.providers.onfido import SIGNATURE_HEADER, OnfidoProvider
from api.settings import LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN, ApiSettings
from core.settings import load_settings
from terra.local.anvil import free_port
from terra.local.fake_kyc import FakeKyc, FakeKycRefused
from tests.relayer.support import wait_for
from tests.terra.fake_kyc.receiver import WebhookReceiver

API_TOKEN, WEBHOOK_TOKEN = "fake-kyc-test-api-token", "fake-kyc-test-webhook-token"
FAST_RETRIES = (0.05, 0.05, 0.05)


def fake(approve_after: float | None = None, webhook_url: str | None = None) -> FakeKyc:
    return FakeKyc(
        webhook_url=webhook_url,
        api_token=API_TOKEN,
        webhook_token=WEBHOOK_TOKEN,
        approve_after=approve_after,
        retry_delays=FAST_RETRIES,
    )


@pytest.fixture
def running() -> Iterator[FakeKyc]:
    with fake() as f:
        yield f


def client(f: FakeKyc, api_token: str = API_TOKEN) -> OnfidoProvider:
    return OnfidoProvider(f.url, api_token, WEBHOOK_TOKEN, timeout=5)


def test_the_api_client_creates_an_applicant_a_token_and_a_check_it_can_read_back(running: FakeKyc) -> None:
    provider = client(running)
    applicant = provider.create_applicant("Ada", "Lovelace")
    assert provider.sdk_token(applicant.id)
    check = provider.start_check(applicant.id)
    assert (check.applicant_id, check.status, check.result) == (applicant.id, "in_progress", None)
    assert provider.retrieve_check(check.id) == check
    assert decide(check) is None


def test_a_wrong_api_token_is_refused_and_the_client_reports_the_provider_unavailable(running: FakeKyc) -> None:
    with pytest.raises(ProviderUnavailable):
        client(running, api_token="not-the-token").create_applicant("Ada", "Lovelace")
    assert running.ledger.applicants == {}


def test_a_blank_name_is_a_422_the_client_reports_as_refused_input(running: FakeKyc) -> None:
    with pytest.raises(ProviderRefusedInput):
        client(running).create_applicant(" ", "Lovelace")


def test_an_unknown_check_is_a_404_for_the_client(running: FakeKyc) -> None:
    with pytest.raises(ProviderUnavailable):
        client(running).retrieve_check("0" * 32)


@pytest.mark.parametrize(
    ("last_name", "result", "decision"), [("Lovelace", "clear", "verified"), ("Consider", "consider", "rejected")]
)
def test_a_check_completes_after_the_delay_and_posts_a_webhook_the_api_verifier_accepts(
    last_name: str, result: str, decision: str
) -> None:
    verifier = OnfidoProvider("http://unused", API_TOKEN, WEBHOOK_TOKEN)
    with WebhookReceiver(verifier) as receiver, fake(approve_after=0.05, webhook_url=receiver.url) as f:
        provider = client(f)
        check = provider.start_check(provider.create_applicant("Ada", last_name).id)
        got = wait_for("the webhook", lambda: receiver.received)[0]
        assert got.event is not None, "the signature or body did not verify"
        assert (got.event.action, got.event.object_id) == ("check.completed", check.id)
        completed = provider.retrieve_check(check.id)
        assert (completed.status, completed.result, decide(completed)) == ("complete", result, decision)
        assert got.headers[SIGNATURE_HEADER] and f.webhooks()[0]["state"] == "delivered"


def test_without_a_delay_a_check_completes_only_when_told_and_only_once() -> None:
    verifier = OnfidoProvider("http://unused", API_TOKEN, WEBHOOK_TOKEN)
    with WebhookReceiver(verifier) as receiver, fake(webhook_url=receiver.url) as f:
        provider = client(f)
        check = provider.start_check(provider.create_applicant("Ada", "Lovelace").id)
        assert provider.retrieve_check(check.id).status == "in_progress"
        answer = httpx.post(f"{f.url}/_fake/checks/{check.id}/complete", json={"result": "consider"})
        assert answer.status_code == 200 and answer.json()["result"] == "consider"
        f.complete(check.id, "clear")  # already complete: nothing changes, nothing more is sent
        wait_for("the webhook", lambda: receiver.received)
        assert provider.retrieve_check(check.id).result == "consider"
        assert len(f.webhooks()) == 1


def test_a_refused_webhook_is_retried_until_accepted() -> None:
    verifier = OnfidoProvider("http://unused", API_TOKEN, WEBHOOK_TOKEN)
    with WebhookReceiver(verifier, statuses=[404, 500]) as receiver, fake(webhook_url=receiver.url) as f:
        provider = client(f)
        check = provider.start_check(provider.create_applicant("Ada", "Lovelace").id)
        f.complete(check.id)
        wait_for("delivery", lambda: f.webhooks()[0]["state"] == "delivered")
        assert [a["status"] for a in f.webhooks()[0]["attempts"]] == [404, 500, 200]
        assert len({r.body for r in receiver.received}) == 1  # the same event each time


def test_a_webhook_nobody_accepts_is_given_up_after_the_schedule() -> None:
    verifier = OnfidoProvider("http://unused", API_TOKEN, WEBHOOK_TOKEN)
    with WebhookReceiver(verifier, statuses=[500] * 10) as receiver, fake(webhook_url=receiver.url) as f:
        provider = client(f)
        f.complete(provider.start_check(provider.create_applicant("Ada", "Lovelace").id).id)
        wait_for("giving up", lambda: f.webhooks()[0]["state"] == "failed")
        assert len(receiver.received) == len(FAST_RETRIES) + 1


def test_from_settings_uses_the_api_fake_tokens_and_is_refused_with_a_real_token() -> None:
    port = free_port()
    settings = load_settings(ApiSettings, kyc_fake=True, kyc_api_base=f"http://127.0.0.1:{port}", api_port=8123)
    f = FakeKyc.from_settings(settings)
    assert (f.api_token, f.port) == (LOCAL_FAKE_KYC_API_TOKEN, port)
    assert f.sender.url == "http://127.0.0.1:8123/api/v1/kyc/webhook"
    real = load_settings(ApiSettings, kyc_api_token="live-token-xyz", kyc_webhook_token="live-webhook-xyz")
    with pytest.raises(FakeKycRefused):
        FakeKyc.from_settings(real)
    assert LOCAL_FAKE_KYC_WEBHOOK_TOKEN not in real.kyc_tokens()


def test_the_fake_listens_on_loopback_only() -> None:
    with pytest.raises(FakeKycRefused):
        FakeKyc(webhook_url=None, api_token="a", webhook_token="b", host="0.0.0.0")  # noqa: S104
