"""Every way a token can be wrong is refused with its own code: tampered, expired, `alg: none`, another key,
another audience, the wrong kind; a refresh token works once, and a second use revokes its whole family."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.tokens import AUDIENCE, ISSUER, issue_access_token, read_access_token
from api.errors import InvalidToken, TokenExpired
from core.models import RefreshToken, RefreshTokenFamily
from tests.api.conftest import TEST_JWT_KEY, Api, bearer
from tests.api.test_conventions import assert_error

B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def me(api: Api, token: str, code: str, status: int = 401) -> None:
    assert_error(api.client.get("/api/v1/users/me", headers=bearer(token)), status, code)


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_tampered_token_is_invalid(api: Api) -> None:
    _user, token = api.user_with_token()
    header, _payload, signature = token.split(".")
    forged = claims_of(token) | {"sub": str(uuid.uuid4())}
    me(api, f"{header}.{b64(forged)}.{signature}", "INVALID_TOKEN")


def test_an_expired_token_says_so(api: Api) -> None:
    user, token = api.user_with_token()
    claims = claims_of(token)
    old = issue_access_token(
        TEST_JWT_KEY,
        user_id=uuid.UUID(user["id"]),
        family_id=uuid.UUID(str(claims["sid"])),
        now=datetime.now(UTC) - timedelta(hours=2),
        lifetime=timedelta(hours=1),
    )
    me(api, old, "TOKEN_EXPIRED")


def test_alg_none_is_refused(api: Api) -> None:
    _user, token = api.user_with_token()
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_of(token))}."
    me(api, unsigned, "INVALID_TOKEN")
    also = jwt.encode(claims_of(token), None, algorithm="none")
    me(api, also, "INVALID_TOKEN")


def test_a_token_signed_with_another_key_is_refused(api: Api) -> None:
    _user, token = api.user_with_token()
    me(api, jwt.encode(claims_of(token), "another-key-" + "z" * 32, algorithm="HS256"), "INVALID_TOKEN")


def test_another_algorithm_with_our_key_is_refused(api: Api) -> None:
    _user, token = api.user_with_token()
    me(api, jwt.encode(claims_of(token), TEST_JWT_KEY, algorithm="HS512"), "INVALID_TOKEN")


@pytest.mark.parametrize(
    "change", [{"aud": "someone-else"}, {"iss": "someone-else"}, {"typ": "refresh"}, {"sid": "not-a-uuid"}]
)
def test_claims_from_another_issuer_audience_or_kind_are_refused(api: Api, change: dict[str, object]) -> None:
    _user, token = api.user_with_token()
    me(api, jwt.encode(claims_of(token) | change, TEST_JWT_KEY, algorithm="HS256"), "INVALID_TOKEN")


def test_a_token_missing_a_required_claim_is_refused(api: Api) -> None:
    _user, token = api.user_with_token()
    claims = claims_of(token)
    del claims["sid"]
    me(api, jwt.encode(claims, TEST_JWT_KEY, algorithm="HS256"), "INVALID_TOKEN")


def test_garbage_tokens_and_other_schemes_are_invalid(api: Api) -> None:
    user, _token = api.user_with_token()
    refresh = api.tokens(user["email"])["refresh_token"]
    me(api, refresh, "INVALID_TOKEN")  # a refresh token is not an access token
    me(api, "not.a.jwt", "INVALID_TOKEN")
    answer = api.client.get("/api/v1/users/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(answer, 401, "INVALID_TOKEN")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_family(api: Api) -> None:
    user = api.register()
    first = api.tokens(user["email"])
    second = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second_tokens = second.json()["data"]
    assert second_tokens["refresh_token"] != first["refresh_token"]
    assert api.client.get("/api/v1/users/me", headers=bearer(second_tokens["access_token"])).status_code == 200

    reused = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(reused, 401, "REFRESH_TOKEN_REUSED")
    # Everything of that family is dead now: the rotated refresh token and every access token.
    latest = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": second_tokens["refresh_token"]})
    assert_error(latest, 401, "SESSION_REVOKED")
    me(api, second_tokens["access_token"], "SESSION_REVOKED")
    me(api, first["access_token"], "SESSION_REVOKED")
    with Session(api.engine) as session:
        family = session.scalars(select(RefreshTokenFamily)).one()
    assert family.revoked_reason == "reuse" and family.revoked_at is not None  # kept despite the 401


def test_reuse_in_one_family_leaves_the_users_other_sessions_alone(api: Api) -> None:
    user = api.register()
    stolen, other = api.tokens(user["email"]), api.tokens(user["email"])
    api.client.post("/api/v1/users/token/refresh", json={"refresh_token": stolen["refresh_token"]})
    api.client.post("/api/v1/users/token/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert api.client.get("/api/v1/users/me", headers=bearer(other["access_token"])).status_code == 200


def test_an_expired_or_unknown_refresh_token_is_refused(api: Api) -> None:
    user = api.register()
    tokens = api.tokens(user["email"])
    with Session(api.engine) as session, session.begin():
        session.execute(update(RefreshToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    expired = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(expired, 401, "TOKEN_EXPIRED")
    unknown = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": "x" * 43})
    assert_error(unknown, 401, "INVALID_TOKEN")
    assert_error(api.client.post("/api/v1/users/token/refresh", json={}), 401, "NOT_AUTHENTICATED")


# ----- pure: the token functions ------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(user=st.uuids(), family=st.uuids(), csrf=st.none() | st.text(min_size=1, max_size=64))
def test_access_tokens_round_trip(user: uuid.UUID, family: uuid.UUID, csrf: str | None) -> None:
    token = issue_access_token(
        TEST_JWT_KEY,
        user_id=user,
        family_id=family,
        now=datetime.now(UTC),
        lifetime=timedelta(hours=1),
        csrf_token=csrf,
    )
    claims = read_access_token(TEST_JWT_KEY, token)
    assert (claims.user_id, claims.family_id) == (user, family)
    assert (claims.csrf_hash is None) == (csrf is None)
    assert jwt.decode(token, TEST_JWT_KEY, algorithms=["HS256"], audience=AUDIENCE)["iss"] == ISSUER


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_change_to_the_signed_part_invalidates_the_token(data: st.DataObject) -> None:
    token = issue_access_token(
        TEST_JWT_KEY, user_id=uuid.uuid4(), family_id=uuid.uuid4(), now=datetime.now(UTC), lifetime=timedelta(hours=1)
    )
    signed = token.rsplit(".", 1)[0]
    position = data.draw(st.integers(0, len(signed) - 1).filter(lambda i: signed[i] != "."))
    replacement = data.draw(st.sampled_from(B64URL).filter(lambda c: c != signed[position]))
    tampered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(InvalidToken):
        read_access_token(TEST_JWT_KEY, tampered)


def test_expiry_is_checked_by_the_pure_reader_too() -> None:
    token = issue_access_token(
        TEST_JWT_KEY,
        user_id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        now=datetime.now(UTC) - timedelta(days=1),
        lifetime=timedelta(hours=1),
    )
    with pytest.raises(TokenExpired):
        read_access_token(TEST_JWT_KEY, token)
