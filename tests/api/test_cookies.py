"""The web app's session: tokens in Secure HttpOnly cookies, and a CSRF token (double submit, bound to the access
token) on every state-changing request. Bearer clients need no CSRF token."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx

from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from tests.api.conftest import Api, bearer
from tests.api.test_conventions import assert_error


def set_cookies(answer: httpx.Response) -> dict[str, SimpleCookie]:
    found: dict[str, SimpleCookie] = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def cookie_login(api: Api) -> tuple[dict[str, object], str]:
    user = api.register()
    answer = api.login(user["email"], mode="cookie")
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["access_token"] is None and data["refresh_token"] is None  # never readable by scripts
    return user, data["csrf_token"]


def test_cookie_login_sets_secure_httponly_cookies_and_a_readable_csrf_cookie(api: Api) -> None:
    user = api.register()
    answer = api.login(user["email"], mode="cookie")
    cookies = set_cookies(answer)
    assert set(cookies) == {ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE}
    for name, jar in cookies.items():
        morsel = jar[name]
        assert morsel["secure"] is True
        assert bool(morsel["httponly"]) is (name != CSRF_COOKIE)
    assert cookies[REFRESH_COOKIE][REFRESH_COOKIE]["path"] == "/api/v1/users"
    assert cookies[REFRESH_COOKIE][REFRESH_COOKIE]["samesite"].lower() == "strict"
    assert cookies[CSRF_COOKIE][CSRF_COOKIE].value == answer.json()["data"]["csrf_token"]


def test_reads_with_the_cookie_need_no_csrf_token(api: Api) -> None:
    user, _csrf = cookie_login(api)
    me = api.client.get("/api/v1/users/me")
    assert me.status_code == 200 and me.json()["data"]["email"] == user["email"]


def test_a_change_with_the_cookie_but_without_csrf_token_is_refused(api: Api) -> None:
    _user, csrf = cookie_login(api)
    assert_error(api.client.put("/api/v1/users/me", json={"country": "FR"}), 403, "CSRF_FAILED")
    wrong = api.client.put("/api/v1/users/me", json={"country": "FR"}, headers={"X-CSRF-Token": csrf[::-1]})
    assert_error(wrong, 403, "CSRF_FAILED")
    assert api.client.get("/api/v1/users/me").json()["data"]["country"] == "DE"  # nothing changed
    right = api.client.put("/api/v1/users/me", json={"country": "FR"}, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 200 and right.json()["data"]["country"] == "FR"


def test_a_csrf_cookie_planted_to_match_the_header_is_not_enough(api: Api) -> None:
    _user, _csrf = cookie_login(api)
    api.client.cookies.set(CSRF_COOKIE, "attacker-chosen", domain="testserver")
    planted = api.client.put("/api/v1/users/me", json={"country": "FR"}, headers={"X-CSRF-Token": "attacker-chosen"})
    assert_error(planted, 403, "CSRF_FAILED")  # the access token names the real CSRF token's hash


def test_bearer_clients_need_no_csrf_token(api: Api) -> None:
    _user, token = api.user_with_token()
    assert api.client.put("/api/v1/users/me", json={"country": "FR"}, headers=bearer(token)).status_code == 200


def test_cookie_refresh_needs_the_csrf_header_and_rotates_the_cookies(api: Api) -> None:
    _user, csrf = cookie_login(api)
    assert_error(api.client.post("/api/v1/users/token/refresh", json={}), 403, "CSRF_FAILED")
    refreshed = api.client.post("/api/v1/users/token/refresh", json={}, headers={"X-CSRF-Token": csrf})
    assert refreshed.status_code == 200, refreshed.text
    new_csrf = refreshed.json()["data"]["csrf_token"]
    assert new_csrf and new_csrf != csrf
    assert set(set_cookies(refreshed)) == {ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE}
    assert (
        api.client.put("/api/v1/users/me", json={"country": "IT"}, headers={"X-CSRF-Token": new_csrf}).status_code
        == 200
    )


def test_cookie_logout_needs_csrf_clears_the_cookies_and_ends_the_session(api: Api) -> None:
    _user, csrf = cookie_login(api)
    assert_error(api.client.post("/api/v1/users/logout"), 403, "CSRF_FAILED")
    access = api.client.cookies.get(ACCESS_COOKIE)
    out = api.client.post("/api/v1/users/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    assert all(c[n]["max-age"] == "0" for n, c in set_cookies(out).items())
    assert access is not None
    assert_error(api.client.get("/api/v1/users/me", headers=bearer(access)), 401, "SESSION_REVOKED")
