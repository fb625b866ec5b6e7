"""Linking wallets to the caller's account, listing and unlinking them: one account per wallet, a KYC-verified
account's new wallet queued for the allowlist, and no account left without a way to sign in."""

from __future__ import annotations

import uuid

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.cookies import CSRF_HEADER
from core.models import ComplianceIntent, User, UserWallet
from tests.api.conftest import bearer
from tests.api.wallets.conftest import Siwe, counts


def _verify_kyc(siwe: Siwe, user_id: str) -> None:
    with Session(siwe.api.engine) as db, db.begin():
        db.execute(update(User).where(User.id == uuid.UUID(user_id)).values(kyc_status="verified"))


def _allow_intents(siwe: Siwe) -> list[tuple[str, str, str]]:
    with Session(siwe.api.engine) as db:
        return [(i.kind, i.account, i.status) for i in db.scalars(select(ComplianceIntent))]


def test_a_signed_in_user_links_a_wallet_and_lists_it(siwe: Siwe, fresh_account: LocalAccount) -> None:
    user, token = siwe.api.user_with_token()
    answer = siwe.link(token, siwe.signed(fresh_account))
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["address"] == fresh_account.address and answer.json()["data"]["kind"] == "eoa"
    listed = siwe.api.client.get("/api/v1/users/me/wallets", headers=bearer(token)).json()
    assert [w["address"] for w in listed["data"]] == [fresh_account.address]
    assert (listed["meta"]["total"], listed["meta"]["page"]) == (1, 1)
    with Session(siwe.api.engine) as db:
        stored = db.get(UserWallet, fresh_account.address.lower())
        assert stored is not None and str(stored.user_id) == user["id"]


def test_linking_a_wallet_again_changes_nothing(siwe: Siwe, fresh_account: LocalAccount) -> None:
    _user, token = siwe.api.user_with_token()
    first = siwe.link(token, siwe.signed(fresh_account))
    again = siwe.link(token, siwe.signed(fresh_account))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["data"] == first.json()["data"]
    assert len(siwe.wallets(token)) == 1


def test_a_wallet_of_another_account_is_refused_with_409(siwe: Siwe, fresh_account: LocalAccount) -> None:
    owner = siwe.sign_in(fresh_account)  # its wallet-only account
    _other, token = siwe.api.user_with_token()
    before = counts(siwe.api.engine)
    answer = siwe.link(token, siwe.signed(fresh_account))
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "WALLET_LINKED_ELSEWHERE")
    assert counts(siwe.api.engine) == before
    assert siwe.wallets(token) == [] and len(siwe.wallets(owner["access_token"])) == 1


def test_linking_needs_a_signed_in_caller_and_consumes_nothing_without(siwe: Siwe, fresh_account: LocalAccount) -> None:
    before = counts(siwe.api.engine)
    answer = siwe.api.client.post("/api/v1/users/me/wallets", json=siwe.signed(fresh_account))
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "NOT_AUTHENTICATED")
    assert counts(siwe.api.engine) == before


def test_a_cookie_session_links_only_with_its_csrf_token(siwe: Siwe, fresh_account: LocalAccount) -> None:
    user = siwe.api.register()
    csrf = siwe.api.login(user["email"], mode="cookie").json()["data"]["csrf_token"]
    body = siwe.signed(fresh_account)
    refused = siwe.api.client.post("/api/v1/users/me/wallets", json=body)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "CSRF_FAILED")
    linked = siwe.api.client.post("/api/v1/users/me/wallets", json=body, headers={CSRF_HEADER: csrf})
    assert linked.status_code == 201, linked.text


def test_a_kyc_verified_account_s_new_wallet_is_queued_for_the_allowlist(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    user, token = siwe.api.user_with_token()
    _verify_kyc(siwe, user["id"])
    assert siwe.link(token, siwe.signed(fresh_account)).status_code == 201
    assert _allow_intents(siwe) == [("allow", fresh_account.address.lower(), "pending")]
    assert siwe.link(token, siwe.signed(fresh_account)).status_code == 200  # linked again: no second intent
    assert len(_allow_intents(siwe)) == 1


def test_an_unverified_account_s_wallet_is_not_queued(siwe: Siwe, fresh_account: LocalAccount) -> None:
    _user, token = siwe.api.user_with_token()
    assert siwe.link(token, siwe.signed(fresh_account)).status_code == 201
    siwe.sign_in(Account.create())  # a new wallet-only account: not verified either
    assert _allow_intents(siwe) == []


def test_unlinking_removes_the_wallet_whatever_the_letter_case(siwe: Siwe, fresh_account: LocalAccount) -> None:
    _user, token = siwe.api.user_with_token()
    siwe.link(token, siwe.signed(fresh_account))
    answer = siwe.api.client.delete(
        f"/api/v1/users/me/wallets/{fresh_account.address.upper()[2:]}", headers=bearer(token)
    )
    assert answer.status_code == 422  # no 0x: not an address
    answer = siwe.api.client.delete(
        f"/api/v1/users/me/wallets/0x{fresh_account.address[2:].upper()}", headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == {"address": fresh_account.address, "unlinked": True}
    assert siwe.wallets(token) == []


def test_another_account_s_wallet_cannot_be_unlinked(siwe: Siwe, fresh_account: LocalAccount) -> None:
    _owner, owner_token = siwe.api.user_with_token()
    siwe.link(owner_token, siwe.signed(fresh_account))
    _other, token = siwe.api.user_with_token()
    answer = siwe.api.client.delete(f"/api/v1/users/me/wallets/{fresh_account.address}", headers=bearer(token))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "WALLET_NOT_FOUND")
    assert len(siwe.wallets(owner_token)) == 1


def test_the_last_wallet_of_a_wallet_only_account_stays(siwe: Siwe, fresh_account: LocalAccount) -> None:
    token = siwe.sign_in(fresh_account)["access_token"]
    second = Account.create()
    assert siwe.link(token, siwe.signed(second)).status_code == 201
    first = siwe.api.client.delete(f"/api/v1/users/me/wallets/{fresh_account.address}", headers=bearer(token))
    assert first.status_code == 200
    last = siwe.api.client.delete(f"/api/v1/users/me/wallets/{second.address}", headers=bearer(token))
    assert (last.status_code, last.json()["error"]["code"]) == (409, "WALLET_IS_LAST_SIGN_IN")
    assert [w["address"] for w in siwe.wallets(token)] == [second.address]


@pytest.mark.parametrize("address", ["0x123", "0x" + "g" * 40, "' OR 1=1 --", "0x" + "a" * 41])
def test_an_address_that_is_not_one_is_a_validation_error(siwe: Siwe, address: str) -> None:
    _user, token = siwe.api.user_with_token()
    answer = siwe.api.client.delete(f"/api/v1/users/me/wallets/{address}", headers=bearer(token))
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
