"""KYC end to end through the FAKE provider and a live API: start → the fake completes the check and posts a
signed webhook → the API reads the check back → verified, with allowlist intents for the user's wallets and a
custodial account row for the relayer; rejection, and a new attempt after it."""

from __future__ import annotations

import uuid

from api.kyc.providers.onfido import OnfidoProvider
from api.settings import LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN
from tests.api.kyc.conftest import Kyc
from tests.relayer.support import wait_for

WALLETS = ["0x" + "a1" * 20, "0x" + "b2" * 20]


def _settled(kyc: Kyc, token: str) -> str | None:
    status = kyc.status(token)["status"]
    return status if status in ("verified", "rejected") else None


def test_start_then_the_fakes_signed_webhook_verifies_the_user_and_queues_allow_intents(live_kyc: Kyc) -> None:
    live_kyc.fake.approve_after = 0.2
    user_id, token = live_kyc.user()
    for wallet in WALLETS:
        live_kyc.link_wallet(user_id, wallet)
    answer = live_kyc.start(token)
    assert answer.status_code == 201, answer.text
    started = answer.json()["data"]
    assert started["status"] == "submitted" and started["sdk_token"] and started["provider"] == "onfido"
    assert started["applicant_id"] in live_kyc.fake.ledger.applicants

    assert wait_for("a decision", lambda: _settled(live_kyc, token)) == "verified"
    status = live_kyc.status(token)
    assert status["check_id"] == started["check_id"] and status["verified_at"] is not None
    intents = live_kyc.sql("SELECT account, status FROM compliance_intents WHERE kind = 'allow' ORDER BY account")
    assert intents == [(w, "pending") for w in sorted(WALLETS)]
    # The custodial address is derived by the relayer alone: the API leaves the row for it.
    assert live_kyc.sql("SELECT address FROM custodial_accounts WHERE user_id = :u", u=user_id) == [(None,)]
    ((data, verified_at, user_verified_at),) = live_kyc.sql(
        "SELECT r.verification_data, r.verified_at, u.kyc_verified_at FROM kyc_records r JOIN users u ON u.id = user_id"
    )
    assert verified_at == user_verified_at
    assert data["result"] == "clear" and set(data) == {"check_status", "result", "report_names", "completed_at"}
    events = live_kyc.sql("SELECT event_id, outcome FROM kyc_webhook_events")
    assert events == [(f"check.completed:{started['check_id']}", "applied")]
    assert live_kyc.fake.webhooks()[0]["state"] == "delivered"


def test_a_consider_result_rejects_allows_nothing_and_a_new_attempt_may_then_pass(live_kyc: Kyc) -> None:
    live_kyc.fake.approve_after = 0.1
    user_id, token = live_kyc.user()
    live_kyc.link_wallet(user_id, WALLETS[0])
    assert live_kyc.start(token, last="Consider").status_code == 201
    assert wait_for("a decision", lambda: _settled(live_kyc, token)) == "rejected"
    assert live_kyc.sql("SELECT count(*) FROM compliance_intents") == [(0,)]
    assert live_kyc.sql("SELECT count(*) FROM custodial_accounts") == [(0,)]
    assert live_kyc.status(token)["verified_at"] is None

    again = live_kyc.start(token)
    assert again.status_code == 201, again.text
    assert live_kyc.status(token)["status"] == "submitted"
    assert wait_for("a decision", lambda: _settled(live_kyc, token)) == "verified"
    records = live_kyc.sql("SELECT status FROM kyc_records WHERE user_id = :u ORDER BY created_at", u=user_id)
    assert records == [("rejected",), ("verified",)]
    assert live_kyc.sql("SELECT account FROM compliance_intents") == [(WALLETS[0],)]


def test_a_webhook_that_overtakes_the_commit_of_its_start_gets_404_and_its_retry_applies(live_kyc: Kyc) -> None:
    """The provider may post before the start's transaction commits: that answer is a 404 with nothing stored,
    and the provider's retry, once the record is there, applies it. (The check is made at the fake directly and
    its record written late, as a slow commit would.)"""
    user_id, token = live_kyc.user()
    provider = OnfidoProvider(live_kyc.fake.url, LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN)
    applicant = provider.create_applicant("Ada", "Lovelace")
    check = provider.start_check(applicant.id)
    live_kyc.fake.complete(check.id)
    wait_for("a refused attempt", lambda: live_kyc.fake.webhooks()[0]["attempts"])
    assert live_kyc.sql("SELECT count(*) FROM kyc_webhook_events") == [(0,)]
    live_kyc.sql("UPDATE users SET kyc_status = 'submitted' WHERE id = :u", u=user_id)
    live_kyc.sql(
        "INSERT INTO kyc_records (user_id, provider_applicant_id, provider_check_id) VALUES (:u, :a, :c)",
        u=user_id,
        a=applicant.id,
        c=check.id,
    )
    assert wait_for("a decision", lambda: _settled(live_kyc, token)) == "verified"
    attempts = [a["status"] for a in live_kyc.fake.webhooks()[0]["attempts"]]
    assert attempts[0] == 404 and attempts[-1] == 200


def test_users_approved_together_each_get_their_own_intents_only(live_kyc: Kyc) -> None:
    live_kyc.fake.approve_after = 0.1
    users = [live_kyc.user() for _ in range(3)]
    wallets = {}
    for user_id, token in users:
        wallets[user_id] = "0x" + uuid.uuid4().hex + "00000000"
        live_kyc.link_wallet(user_id, wallets[user_id])
        assert live_kyc.start(token).status_code == 201
    for _, token in users:
        assert wait_for("a decision", lambda t=token: _settled(live_kyc, t)) == "verified"  # type: ignore[misc]
    rows = live_kyc.sql(
        "SELECT w.user_id, i.account FROM compliance_intents i JOIN user_wallets w ON w.address = i.account"
    )
    assert sorted(rows) == sorted(wallets.items())
