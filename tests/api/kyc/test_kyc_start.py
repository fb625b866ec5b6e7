"""Starting KYC and reading its status: one attempt at a time, none once verified, a new one after a rejection;
names checked before anything reaches the provider; a user sees only their own status; the provider's token
never shows in an answer or a log line."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from terra.local.anvil import free_port
from terra.local.fake_kyc import FakeKyc
from tests.api.conftest import api_settings, bearer
from tests.api.kyc.conftest import Kyc, kyc_settings


def code(answer: Any) -> str:
    return str(answer.json()["error"]["code"])


def complete(kyc: Kyc, check_id: str, result: str) -> None:
    check = kyc.fake.complete(check_id, result)
    assert kyc.webhook(json.dumps(kyc.fake.ledger.webhook_event(check)).encode()).status_code == 200


def test_start_records_the_attempt_and_the_status_shows_it(kyc: Kyc) -> None:
    user_id, token = kyc.user()
    assert kyc.status(token) | {"verified_at": None} == {
        "status": "pending",
        "verified_at": None,
        "provider": None,
        "applicant_id": None,
        "check_id": None,
        "record_id": None,
        "submitted_at": None,
        "decided_at": None,
    }
    data = kyc.start(token).json()["data"]
    status = kyc.status(token)
    assert status["status"] == "submitted" and status["applicant_id"] == data["applicant_id"]
    assert kyc.sql("SELECT user_id, status, provider FROM kyc_records") == [(user_id, "submitted", "onfido")]
    # The names went to the provider only.
    assert "Lovelace" not in json.dumps(kyc.sql("SELECT verification_data FROM kyc_records")[0][0])


def test_starting_again_while_submitted_or_once_verified_is_409_and_asks_the_provider_nothing(kyc: Kyc) -> None:
    _, token = kyc.user()
    check_id = kyc.start(token).json()["data"]["check_id"]
    applicants = len(kyc.fake.ledger.applicants)
    again = kyc.start(token)
    assert (again.status_code, code(again)) == (409, "KYC_IN_PROGRESS")
    complete(kyc, check_id, "clear")
    verified = kyc.start(token)
    assert (verified.status_code, code(verified)) == (409, "KYC_ALREADY_VERIFIED")
    assert len(kyc.fake.ledger.applicants) == applicants
    assert kyc.sql("SELECT count(*) FROM kyc_records") == [(1,)]


def test_after_a_rejection_a_new_attempt_is_allowed(kyc: Kyc) -> None:
    _, token = kyc.user()
    first = kyc.start(token).json()["data"]
    complete(kyc, first["check_id"], "consider")
    assert kyc.status(token)["status"] == "rejected"
    second = kyc.start(token)
    assert second.status_code == 201
    assert kyc.status(token)["check_id"] == second.json()["data"]["check_id"] != first["check_id"]


def test_two_starts_at_once_make_one_attempt(kyc: Kyc) -> None:
    _, token = kyc.user()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: kyc.start(token), range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert kyc.sql("SELECT count(*) FROM kyc_records") == [(1,)]


def test_another_user_sees_only_their_own_status(kyc: Kyc) -> None:
    _, alice = kyc.user()
    _, bob = kyc.user()
    data = kyc.start(alice).json()["data"]
    complete(kyc, data["check_id"], "clear")
    theirs = kyc.status(bob)
    assert theirs["status"] == "pending" and theirs["check_id"] is None and theirs["applicant_id"] is None
    assert kyc.status(alice)["status"] == "verified"


@pytest.mark.parametrize("path", ["/api/v1/users/kyc/status", "/api/v1/users/kyc"])
def test_without_a_token_the_kyc_routes_are_401(kyc: Kyc, path: str) -> None:
    answer = kyc.http.get(path) if path.endswith("status") else kyc.http.post(path, json={})
    assert (answer.status_code, code(answer)) == (401, "NOT_AUTHENTICATED")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"first_name": "Ada"},
        {"first_name": "Ada", "last_name": "Lovelace", "ssn": "123"},
        {"first_name": "Ada1", "last_name": "Lovelace"},
        {"first_name": "<script>alert(1)</script>", "last_name": "Lovelace"},
        {"first_name": "Ada", "last_name": "x' OR '1'='1"},
        {"first_name": "", "last_name": "Lovelace"},
        {"first_name": "A" * 101, "last_name": "Lovelace"},
        {"first_name": 7, "last_name": "Lovelace"},
        {"first_name": ["Ada"], "last_name": "Lovelace"},
    ],
)
def test_bad_names_are_422_and_nothing_reaches_the_provider(kyc: Kyc, body: dict[str, Any]) -> None:
    _, token = kyc.user()
    answer = kyc.http.post("/api/v1/users/kyc", json=body, headers=bearer(token))
    assert (answer.status_code, code(answer)) == (422, "VALIDATION_ERROR")
    assert kyc.fake.ledger.applicants == {} and kyc.status(token)["status"] == "pending"


def test_names_of_any_script_with_hyphens_and_apostrophes_are_taken(kyc: Kyc) -> None:
    _, token = kyc.user()
    assert kyc.start(token, first="Zoë-Anne", last="O’Brien-Łukasiewicz").status_code == 201
    assert {a["last_name"] for a in kyc.fake.ledger.applicants.values()} == {"O’Brien-Łukasiewicz"}


def test_with_kyc_off_start_and_webhook_are_503(clean_db: Engine) -> None:
    with TestClient(create_app(api_settings(), engine=clean_db), base_url="https://testserver") as client:
        kyc = Kyc(client, clean_db, None)  # type: ignore[arg-type]
        _, token = kyc.user()
        answer = kyc.start(token)
        assert (answer.status_code, code(answer)) == (503, "KYC_NOT_CONFIGURED")
        hook = client.post("/api/v1/kyc/webhook", content=b"{}")
        assert (hook.status_code, code(hook)) == (503, "KYC_NOT_CONFIGURED")
        assert kyc.status(token)["status"] == "pending"


def test_an_unreachable_provider_is_502_and_nothing_is_stored(clean_db: Engine, fake_kyc: FakeKyc) -> None:
    settings = api_settings(kyc_fake=True, kyc_api_base=f"http://127.0.0.1:{free_port()}", kyc_timeout_seconds=2.0)
    with TestClient(create_app(settings, engine=clean_db), base_url="https://testserver") as client:
        kyc = Kyc(client, clean_db, fake_kyc)
        _, token = kyc.user()
        answer = kyc.start(token)
        assert (answer.status_code, code(answer)) == (502, "KYC_PROVIDER_UNAVAILABLE")
        assert kyc.status(token)["status"] == "pending" and kyc.sql("SELECT count(*) FROM kyc_records") == [(0,)]


def test_the_providers_token_never_shows_in_an_answer_or_a_log(
    clean_db: Engine, fake_kyc: FakeKyc, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A real token the fake refuses (401): the API answers 502 and neither the answer nor the logs carry it."""
    token_value = "live-api-token-9f3a7c1e5d"
    settings = kyc_settings(fake_kyc, kyc_fake=False, kyc_api_token=token_value, kyc_webhook_token="live-wh-4b2d")
    with TestClient(create_app(settings, engine=clean_db), base_url="https://testserver") as client:
        kyc = Kyc(client, clean_db, fake_kyc)
        _, token = kyc.user()
        answer = kyc.start(token)
    assert (answer.status_code, code(answer)) == (502, "KYC_PROVIDER_UNAVAILABLE")
    out, err = capfd.readouterr()
    for text in (answer.text, out, err, caplog.text):
        assert token_value not in text
    assert "kyc_provider_error" in out + err + caplog.text  # the failure itself was logged
