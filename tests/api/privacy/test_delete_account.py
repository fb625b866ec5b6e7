"""DELETE /users/me: refused while anything is under way; otherwise PII erased, history kept anonymous, every
credential and token of the account dead; nothing half-done when a step fails."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.privacy import erasure, repository
from core.models import (
    CustodialAccount,
    Investment,
    InvestmentStatusChange,
    RefreshToken,
    RefreshTokenFamily,
    User,
    UserRole,
    UserWallet,
)
from tests.api.conftest import STRONG_PASSWORD, Api, bearer
from tests.api.privacy.conftest import custodial, hold, invest, link_wallet
from tests.api.test_bad_input_property import bodies

URL = "/api/v1/users/me"


def _delete(api: Api, token: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    payload = {"password": STRONG_PASSWORD} if body is None else body
    return api.client.request("DELETE", URL, json=payload, headers=bearer(token) | headers)


def _user(api: Api, user_id: object) -> User:
    with Session(api.engine) as session:
        user = session.get(User, uuid.UUID(str(user_id)))
        assert user is not None
        return user


@pytest.mark.parametrize("statuses", [("paid",), ("paid", "minting"), ("paid", "minting", "completed", "disputed")])
def test_delete_is_refused_with_an_investment_under_way_and_changes_nothing(api: Api, statuses: tuple[str]) -> None:
    me, token = api.user_with_token()
    investment = invest(api.engine, str(me["id"]), *statuses)
    answer = _delete(api, token)
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "ACCOUNT_HAS_ACTIVE_INVESTMENTS"
    assert error["details"]["reasons"] == [
        {"reason": "active_investment", "investment_id": investment, "status": statuses[-1]}
    ]
    assert _user(api, me["id"]).email == me["email"]
    assert api.client.get("/api/v1/users/me", headers=bearer(token)).status_code == 200


def test_delete_is_refused_while_the_index_shows_tokens_at_the_users_addresses(api: Api) -> None:
    me, token = api.user_with_token()
    invest(api.engine, str(me["id"]), "paid", "minting", "completed", "final")
    wallet = link_wallet(api.engine, str(me["id"]))
    hold(api.engine, wallet, 2500, project_id=3)
    answer = _delete(api, token)
    assert answer.status_code == 409
    [reason] = answer.json()["error"]["details"]["reasons"]
    assert reason == {"reason": "tokens_held", "chain_id": 31337, "project_id": 3, "address": wallet, "balance": 2500}
    assert _user(api, me["id"]).deleted_at is None


def test_delete_erases_pii_keeps_history_and_kills_every_credential(api: Api) -> None:
    me, token = api.user_with_token()
    refresh = api.tokens(str(me["email"]))["refresh_token"]
    uid = str(me["id"])
    link_wallet(api.engine, uid)
    address = custodial(api.engine, uid)
    done = invest(api.engine, uid, "paid", "minting", "completed", "final", amount_cents=7777)
    refunded = invest(api.engine, uid, "cancelled")

    answer = _delete(api, token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["deleted"] is True

    user = _user(api, uid)
    assert (user.email, user.password_hash, user.country, user.last_login_at) == (None, None, None, None)
    assert user.deleted_at is not None
    with Session(api.engine) as session:
        assert session.scalars(select(UserWallet).where(UserWallet.user_id == user.id)).all() == []
        assert session.scalars(select(UserRole).where(UserRole.user_id == user.id)).all() == []
        families = session.scalars(select(RefreshTokenFamily).where(RefreshTokenFamily.user_id == user.id)).all()
        assert families and all(f.revoked_reason == "account_deleted" for f in families)
        assert session.scalar(select(func.count()).select_from(RefreshToken)) == 0
        kept = session.get(Investment, uuid.UUID(done))
        assert kept is not None and kept.amount_cents == 7777 and kept.investor_user_id == user.id
        assert session.get(Investment, uuid.UUID(refunded)) is not None
        changes = session.scalar(select(func.count()).select_from(InvestmentStatusChange))
        assert changes == 5 + 2  # every status change of both investments kept
        account = session.get(CustodialAccount, user.id)
        assert account is not None and account.address == address

    assert api.client.get("/api/v1/users/me", headers=bearer(token)).json()["error"]["code"] == "INVALID_TOKEN"
    assert api.login(str(me["email"])).json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert api.client.post("/api/v1/users/token/refresh", json={"refresh_token": refresh}).status_code == 401
    assert _delete(api, token).status_code == 401
    api.register(email=str(me["email"]))  # the address is free again: a new, separate account


def test_a_wrong_or_missing_password_changes_nothing_but_the_failure_count(api: Api) -> None:
    me, token = api.user_with_token()
    missing = _delete(api, token, body={})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "PASSWORD_CONFIRMATION_REQUIRED"
    wrong = _delete(api, token, body={"password": "Not-The-Password-1234"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "PASSWORD_CONFIRMATION_FAILED"
    user = _user(api, me["id"])
    assert user.deleted_at is None and user.email == me["email"] and user.failed_login_count == 1
    assert api.client.get("/api/v1/users/me", headers=bearer(token)).status_code == 200


def test_wrong_passwords_lock_the_account_like_failed_logins(api: Api) -> None:
    me, token = api.user_with_token()
    for _ in range(5):
        _delete(api, token, body={"password": "Not-The-Password-1234"})
    answer = _delete(api, token)
    assert answer.status_code == 423 and answer.json()["error"]["code"] == "ACCOUNT_LOCKED"
    assert _user(api, me["id"]).deleted_at is None


def test_a_cookie_session_must_send_its_csrf_token(api: Api) -> None:
    me = api.register()
    assert api.login(str(me["email"]), mode="cookie").status_code == 200
    answer = api.client.request("DELETE", URL, json={"password": STRONG_PASSWORD})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "CSRF_FAILED"
    assert _user(api, me["id"]).deleted_at is None


@pytest.mark.parametrize(
    "body", [{"password": 12}, {"password": STRONG_PASSWORD, "extra": 1}, {"password": "x" * 10_000}, [1, 2]]
)
def test_bad_bodies_get_a_4xx_envelope_and_change_nothing(api: Api, body: Any) -> None:
    me, token = api.user_with_token()
    answer = _delete(api, token, body=body)
    assert 400 <= answer.status_code < 500 and answer.json()["success"] is False
    assert _user(api, me["id"]).deleted_at is None


def test_nothing_is_half_done_when_a_step_fails_mid_way(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    me, token = api.user_with_token()
    wallet = link_wallet(api.engine, str(me["id"]))

    def broken(_session: Session, _user: User, _now: datetime) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(erasure.STEPS, "broken", broken)  # after wallets, sessions and roles went
    answer = _delete(api, token)
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "INTERNAL_ERROR"
    user = _user(api, me["id"])
    assert user.email == me["email"] and user.deleted_at is None
    with Session(api.engine) as session:
        assert session.get(UserWallet, wallet) is not None
        assert session.scalars(select(RefreshTokenFamily.revoked_at)).all() == [None]
    assert api.client.get("/api/v1/users/me", headers=bearer(token)).status_code == 200


def _reserve(api: Api, investment: str, until: datetime) -> bool:
    """Sets the reservation where the schema has one (the investments API's revision); False otherwise."""
    with Session(api.engine) as session, session.begin():
        if not repository.column_exists(session, "investments", "reserved_until"):
            return False
        session.execute(
            text("UPDATE investments SET reserved_until = :u WHERE id = :i"), {"u": until, "i": uuid.UUID(investment)}
        )
    return True


def test_an_unpaid_investment_blocks_only_while_its_reservation_lasts(api: Api) -> None:
    me, token = api.user_with_token()
    live = invest(api.engine, str(me["id"]))
    _reserve(api, live, datetime.now(UTC) + timedelta(minutes=15))
    answer = _delete(api, token)
    assert answer.status_code == 409
    assert [r["investment_id"] for r in answer.json()["error"]["details"]["reasons"]] == [live]
    if not _reserve(api, live, datetime.now(UTC) - timedelta(minutes=1)):
        return  # no reservations in this schema: every unpaid investment counts as under way
    assert _delete(api, token).status_code == 200


def _json_compliant(body: Any) -> bool:
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        return False
    return True


def test_any_json_body_to_delete_gets_a_4xx_envelope_and_erases_nothing(api: Api) -> None:
    me, token = api.user_with_token()  # one account across the examples: an argon2 hash each would be slow

    @settings(max_examples=25, deadline=None)
    @given(body=bodies)
    def check(body: Any) -> None:
        assume(_json_compliant(body))  # inf cannot be sent as JSON at all
        answer = api.client.request("DELETE", URL, json=body, headers=bearer(token))
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.json()["error"]["code"].isupper()
        user = _user(api, me["id"])
        assert user.deleted_at is None and user.email == me["email"]
        if user.locked_until is not None:  # wrong passwords locked it: unlock for the next example
            with Session(api.engine) as session, session.begin():
                session.execute(text("UPDATE users SET locked_until = NULL, failed_login_count = 0"))

    check()


def test_kyc_records_are_exported_then_erased_with_the_account(api: Api) -> None:
    from core.models import KycRecord

    me, token = api.user_with_token()
    with Session(api.engine) as session, session.begin():
        session.add(
            KycRecord(
                user_id=uuid.UUID(str(me["id"])),
                provider_applicant_id="app-1",
                provider_check_id="chk-1",
                status="rejected",
                verification_data={"result": "consider"},
            )
        )
    exported = api.client.get("/api/v1/users/me/data-export", headers=bearer(token)).json()["data"]
    assert [r["provider_check_id"] for r in exported["kyc_records"]] == ["chk-1"]
    assert _delete(api, token).status_code == 200
    with Session(api.engine) as session:
        assert session.scalars(select(KycRecord)).all() == []
