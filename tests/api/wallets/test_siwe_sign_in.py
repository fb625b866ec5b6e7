"""Signing in with a wallet alone: a nonce, a signed EIP-4361 message, and the same session a password login
gives (tokens or cookies); the first sign-in of a wallet creates its wallet-only account."""

from __future__ import annotations

from datetime import timedelta

from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE
from core.models import RefreshTokenFamily, SiweNonce, User
from tests.api.conftest import bearer
from tests.api.wallets.conftest import DOMAIN, URI, Siwe


def test_a_new_wallet_signs_in_to_a_wallet_only_account_with_the_tokens_of_a_login(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    session = siwe.sign_in(fresh_account)
    assert session["mode"] == "bearer" and session["access_token"] and session["refresh_token"]
    assert session["user"]["email"] is None and session["user"]["roles"] == ["investor"]
    me = siwe.api.client.get("/api/v1/users/me", headers=bearer(session["access_token"]))
    assert me.status_code == 200 and me.json()["data"]["id"] == session["user"]["id"]
    [wallet] = siwe.wallets(session["access_token"])
    assert wallet["address"] == fresh_account.address  # EIP-55
    assert wallet["kind"] == "eoa" and wallet["chain_id"] == siwe.chain_id
    refreshed = siwe.api.client.post("/api/v1/users/token/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_the_same_wallet_signs_in_again_to_the_same_account_in_a_new_session(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    first, second = siwe.sign_in(fresh_account), siwe.sign_in(fresh_account)
    assert first["user"]["id"] == second["user"]["id"]
    with Session(siwe.api.engine) as db:
        assert db.scalar(select(func.count()).select_from(User)) == 1
        assert db.scalar(select(func.count()).select_from(RefreshTokenFamily)) == 2


def test_a_wallet_linked_to_a_password_account_signs_in_to_that_account(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    user, token = siwe.api.user_with_token()
    assert siwe.link(token, siwe.signed(fresh_account)).status_code == 201
    session = siwe.sign_in(fresh_account)
    assert session["user"]["id"] == user["id"] and session["user"]["email"] == user["email"]


def test_cookie_mode_sets_the_session_cookies_and_answers_with_the_csrf_token(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    answer = siwe.verify(siwe.signed(fresh_account) | {"mode": "cookie"})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["mode"] == "cookie" and data["access_token"] is None and data["refresh_token"] is None
    assert answer.cookies[CSRF_COOKIE] == data["csrf_token"] and answer.cookies[ACCESS_COOKIE]
    assert siwe.api.client.get("/api/v1/users/me").json()["data"]["id"] == data["user"]["id"]  # by cookie


def test_a_uri_below_the_expected_one_is_accepted(siwe: Siwe, fresh_account: LocalAccount) -> None:
    assert siwe.verify(siwe.signed(fresh_account, uri=URI + "/app/login")).status_code == 200


def test_a_lowercase_address_signs_in_to_the_same_wallet(siwe: Siwe, fresh_account: LocalAccount) -> None:
    first = siwe.sign_in(fresh_account)
    answer = siwe.verify(siwe.signed(fresh_account, address=fresh_account.address.lower()))
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["user"]["id"] == first["user"]["id"]


def test_a_nonce_is_random_stored_with_its_expiry_and_names_what_the_message_must_say(siwe: Siwe) -> None:
    answers = [siwe.api.client.post("/api/v1/auth/siwe/nonce").json()["data"] for _ in range(3)]
    nonces = [a["nonce"] for a in answers]
    assert len(set(nonces)) == 3 and all(n.isalnum() and len(n) == 32 for n in nonces)
    assert {(a["domain"], a["uri"], a["chain_id"], a["version"]) for a in answers} == {
        (DOMAIN, URI, siwe.chain_id, "1")
    }
    with Session(siwe.api.engine) as db:
        rows = db.scalars(select(SiweNonce)).all()
        assert {r.nonce for r in rows} == set(nonces)
        assert {r.expires_at - r.issued_at for r in rows} == {timedelta(seconds=600)}
        assert all(r.consumed_at is None for r in rows)


def test_issuing_a_nonce_purges_the_expired_ones(siwe: Siwe) -> None:
    old, kept = siwe.nonce(), siwe.nonce()
    with Session(siwe.api.engine) as db, db.begin():
        db.execute(
            text(
                "UPDATE siwe_nonces SET issued_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'"
                " WHERE nonce = :n"
            ),
            {"n": old},
        )
    new = siwe.nonce()
    with Session(siwe.api.engine) as db:
        assert set(db.scalars(select(SiweNonce.nonce))) == {kept, new}
