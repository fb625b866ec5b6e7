"""Register, login, profile, logout: the happy paths, and each refusal with its code and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import RefreshToken, RefreshTokenFamily, User
from tests.api.conftest import STRONG_PASSWORD, Api, bearer
from tests.api.test_conventions import assert_error, users_count


def stored_user(api: Api, email: str) -> User:
    with Session(api.engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        session.expunge(user)
        return user


def test_register_stores_an_argon2id_hash_and_answers_the_profile(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/users/register", json={"email": "Ada@Example.ORG", "password": STRONG_PASSWORD, "country": "de"}
    )
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data["email"] == "ada@example.org" and data["country"] == "DE"
    assert data["kyc_status"] == "pending" and data["roles"] == ["investor"]
    assert set(data) == {"id", "email", "country", "kyc_status", "kyc_verified_at", "roles", "created_at"}
    user = stored_user(api, "ada@example.org")
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert STRONG_PASSWORD not in user.password_hash


def test_an_email_registers_once_whatever_its_case(api: Api) -> None:
    api.register("grace@example.org")
    again = api.client.post(
        "/api/v1/users/register", json={"email": "GRACE@example.org", "password": STRONG_PASSWORD, "country": "US"}
    )
    assert_error(again, 409, "EMAIL_TAKEN")
    assert users_count(api.engine) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short-1a", "too_short"),
        ("alllowercaseletters", "too_few_character_kinds"),
        ("Aa1-Aa1-Aa1-Aa1", "too_repetitive"),
        ("Margaret-Hamilton-1969", "contains_email"),
    ],
)
def test_weak_passwords_are_refused_with_their_reason(api: Api, password: str, reason: str) -> None:
    answer = api.client.post(
        "/api/v1/users/register",
        json={"email": "margaret-hamilton@example.org", "password": password, "country": "US"},
    )
    body = assert_error(answer, 422, "PASSWORD_TOO_WEAK")
    assert reason in body["error"]["details"]["reasons"]
    assert users_count(api.engine) == 0


@pytest.mark.parametrize("password", ["Password123!", "P@ssw0rd1234", "QWERTY123456!", "terralumina2026"])
def test_passwords_on_the_bundled_breach_list_are_refused(api: Api, password: str) -> None:
    answer = api.client.post(
        "/api/v1/users/register", json={"email": "b@example.org", "password": password, "country": "US"}
    )
    assert_error(answer, 422, "PASSWORD_BREACHED")
    assert users_count(api.engine) == 0


@pytest.mark.parametrize(
    "email",
    [
        "<script>alert(1)</script>@example.org",
        "x' OR '1'='1@example.org",
        "robert'); DROP TABLE users;--@example.org",
        "a@b",
        "a b@example.org",
        "a@exa\nmple.org",
    ],
)
def test_markup_or_sql_in_the_email_is_refused_and_nothing_stored(api: Api, email: str) -> None:
    answer = api.client.post(
        "/api/v1/users/register", json={"email": email, "password": STRONG_PASSWORD, "country": "US"}
    )
    assert_error(answer, 422, "VALIDATION_ERROR")
    assert "<script>" not in answer.text
    assert users_count(api.engine) == 0


def test_sql_and_markup_in_a_password_are_just_characters(api: Api) -> None:
    password = "'); DROP TABLE users; -- <script>x</script> 9Z"
    user = api.register("bobby@example.org", password=password)
    assert api.login("bobby@example.org", password).status_code == 200
    assert users_count(api.engine) == 1 and user["email"] == "bobby@example.org"


def test_login_answers_bearer_tokens_and_the_profile(api: Api) -> None:
    user = api.register("lin@example.org")
    data = api.tokens("lin@example.org")
    assert data["mode"] == "bearer" and data["token_type"] == "bearer"
    assert data["expires_in"] == 3600 and data["refresh_expires_in"] == 30 * 24 * 3600
    assert data["user"]["id"] == user["id"] and data["csrf_token"] is None
    me = api.client.get("/api/v1/users/me", headers=bearer(data["access_token"]))
    assert me.json()["data"]["email"] == "lin@example.org"
    assert stored_user(api, "lin@example.org").last_login_at is not None


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "lin@example.org", "password": "Wrong-Password-123"},
        {"email": "nobody@example.org", "password": STRONG_PASSWORD},
    ],
)
def test_wrong_password_and_unknown_email_look_the_same(api: Api, credentials: dict[str, Any]) -> None:
    api.register("lin@example.org")
    answer = api.client.post("/api/v1/users/login", json=credentials)
    body = assert_error(answer, 401, "INVALID_CREDENTIALS")
    assert body["error"]["message"] == "Wrong email or password."


def test_put_me_changes_the_country_only(api: Api) -> None:
    user, token = api.user_with_token()
    changed = api.client.put("/api/v1/users/me", json={"country": "fr"}, headers=bearer(token))
    assert changed.status_code == 200 and changed.json()["data"]["country"] == "FR"
    assert api.client.get("/api/v1/users/me", headers=bearer(token)).json()["data"]["country"] == "FR"
    refused = api.client.put(
        "/api/v1/users/me", json={"country": "FR", "kyc_status": "verified"}, headers=bearer(token)
    )
    assert_error(refused, 422, "VALIDATION_ERROR")
    assert stored_user(api, user["email"]).kyc_status == "pending"


def test_logout_ends_the_session_for_access_and_refresh_tokens(api: Api) -> None:
    user = api.register()
    tokens = api.tokens(user["email"])
    other = api.tokens(user["email"])  # a second login (another device) is its own session
    out = api.client.post("/api/v1/users/logout", headers=bearer(tokens["access_token"]))
    assert out.status_code == 200 and out.json()["data"] == {"logged_out": True}
    assert_error(api.client.get("/api/v1/users/me", headers=bearer(tokens["access_token"])), 401, "SESSION_REVOKED")
    refreshed = api.client.post("/api/v1/users/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(refreshed, 401, "SESSION_REVOKED")
    assert api.client.get("/api/v1/users/me", headers=bearer(other["access_token"])).status_code == 200


def test_routes_that_need_a_user_say_not_authenticated_without_a_token(api: Api) -> None:
    for method, path in [("GET", "/api/v1/users/me"), ("PUT", "/api/v1/users/me"), ("POST", "/api/v1/users/logout")]:
        assert_error(api.client.request(method, path, json={"country": "FR"}), 401, "NOT_AUTHENTICATED")


def test_refresh_tokens_are_stored_only_as_hashes(api: Api) -> None:
    user = api.register()
    tokens = api.tokens(user["email"])
    with Session(api.engine) as session:
        hashes = list(session.scalars(select(RefreshToken.token_hash)))
        families = session.scalar(select(func.count()).select_from(RefreshTokenFamily))
    assert len(hashes) == 1 and families == 1
    assert tokens["refresh_token"] not in hashes[0] and len(hashes[0]) == 64
