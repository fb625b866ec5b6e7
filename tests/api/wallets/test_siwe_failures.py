"""Every way a SIWE sign-in is refused has its own stable code, and a refusal stores nothing: no account, no
wallet, and the nonce stays unconsumed (except a replay, whose nonce was consumed by the sign-in that used it)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from siwe import ISO8601Datetime
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.api.wallets.conftest import URI, Siwe, counts


def _at(delta: timedelta) -> str:
    return str(ISO8601Datetime.from_datetime(datetime.now(UTC) + delta))


def _signed_with(**fields: Any) -> Callable[[Siwe, LocalAccount], dict[str, Any]]:
    return lambda siwe, account: siwe.signed(account, **fields)


def _by_another_key(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    return siwe.signed(Account.create(), address=account.address)


def _garbage_signature(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    return siwe.signed(account) | {"signature": "0x" + "00" * 65}


def _short_signature(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    return siwe.signed(account) | {"signature": "0x1234"}


def _tampered(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    body = siwe.signed(account)
    return body | {"message": body["message"].replace("Sign in to Terra Lumina.", "Sign in to Terra Lumina!")}


def _not_siwe(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    return {"message": "hello, please let me in", "signature": "0x" + "00" * 65}


def _crlf(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    text_ = siwe.message(account.address).replace("\n", "\r\n")
    return {"message": text_, "signature": siwe.sign(account, text_)}


def _nonce_never_issued(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    return siwe.signed(account, nonce=secrets.token_hex(16))


def _nonce_expired(siwe: Siwe, account: LocalAccount) -> dict[str, Any]:
    nonce = siwe.nonce()
    with Session(siwe.api.engine) as db, db.begin():
        db.execute(
            text("UPDATE siwe_nonces SET expires_at = now() - interval '1 second' WHERE nonce = :n"), {"n": nonce}
        )
    return siwe.signed(account, nonce=nonce)


REFUSALS: dict[str, tuple[Callable[[Siwe, LocalAccount], dict[str, Any]], int, str]] = {
    "not a SIWE message": (_not_siwe, 422, "SIWE_MESSAGE_MALFORMED"),
    "CRLF line breaks": (_crlf, 422, "SIWE_MESSAGE_MALFORMED"),
    "a line too long to parse cheaply": (_signed_with(statement="a" * 300), 422, "SIWE_MESSAGE_MALFORMED"),
    "another domain": (_signed_with(domain="evil.example"), 401, "SIWE_DOMAIN_MISMATCH"),
    "another scheme": (_signed_with(scheme="http"), 401, "SIWE_DOMAIN_MISMATCH"),
    "another URI": (_signed_with(uri="https://evil.example"), 401, "SIWE_URI_MISMATCH"),
    "a look-alike URI": (_signed_with(uri=URI + ".evil.example/"), 401, "SIWE_URI_MISMATCH"),
    "another scheme's URI": (_signed_with(uri="http://terra.test"), 401, "SIWE_URI_MISMATCH"),
    "another chain": (_signed_with(chain_id=137), 401, "SIWE_CHAIN_MISMATCH"),
    "expired": (_signed_with(expiration_time=_at(-timedelta(minutes=1))), 401, "SIWE_MESSAGE_EXPIRED"),
    "not yet valid": (_signed_with(not_before=_at(timedelta(hours=1))), 401, "SIWE_MESSAGE_NOT_YET_VALID"),
    "a nonce never issued": (_nonce_never_issued, 401, "SIWE_NONCE_UNKNOWN"),
    "an expired nonce": (_nonce_expired, 401, "SIWE_NONCE_EXPIRED"),
    "signed by another key": (_by_another_key, 401, "SIWE_SIGNATURE_INVALID"),
    "a zero signature": (_garbage_signature, 401, "SIWE_SIGNATURE_INVALID"),
    "a short signature": (_short_signature, 401, "SIWE_SIGNATURE_INVALID"),
    "a tampered message": (_tampered, 401, "SIWE_SIGNATURE_INVALID"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_has_its_code_and_stores_nothing(siwe: Siwe, fresh_account: LocalAccount, case: str) -> None:
    make, status, code = REFUSALS[case]
    body = make(siwe, fresh_account)
    before = counts(siwe.api.engine)
    answer = siwe.verify(body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert answer.json()["success"] is False
    assert counts(siwe.api.engine) == before


def test_a_replayed_message_is_refused_and_adds_nothing(siwe: Siwe, fresh_account: LocalAccount) -> None:
    body = siwe.signed(fresh_account)
    assert siwe.verify(body).status_code == 200
    before = counts(siwe.api.engine)
    again = siwe.verify(body)
    assert (again.status_code, again.json()["error"]["code"]) == (401, "SIWE_NONCE_USED")
    assert counts(siwe.api.engine) == before


def test_a_nonce_consumed_by_a_link_cannot_sign_in(siwe: Siwe, fresh_account: LocalAccount) -> None:
    _user, token = siwe.api.user_with_token()
    body = siwe.signed(fresh_account)
    assert siwe.link(token, body).status_code == 201
    assert siwe.verify(body).json()["error"]["code"] == "SIWE_NONCE_USED"


def test_a_refused_signature_leaves_the_nonce_usable_by_the_real_signer(
    siwe: Siwe, fresh_account: LocalAccount
) -> None:
    nonce = siwe.nonce()
    forged = siwe.signed(Account.create(), address=fresh_account.address, nonce=nonce)
    assert siwe.verify(forged).json()["error"]["code"] == "SIWE_SIGNATURE_INVALID"
    assert siwe.verify(siwe.signed(fresh_account, nonce=nonce)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"message": "x"},
        {"signature": "0x00"},
        {"message": "x", "signature": "not hex"},
        {"message": "x", "signature": "0x0"},  # odd length
        {"message": "x" * 1025, "signature": "0x00"},
        {"message": "x", "signature": "0x00", "extra": 1},
        {"message": 12, "signature": "0x00"},
        {"message": "x", "signature": "0x00", "mode": "session"},
    ],
)
def test_a_body_of_the_wrong_shape_is_a_validation_error(siwe: Siwe, body: dict[str, Any]) -> None:
    answer = siwe.verify(body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
