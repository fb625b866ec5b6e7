"""The web app's session in cookies: the access token and the refresh token HttpOnly (scripts never see them),
both Secure; the CSRF token in a readable cookie that the app copies into X-CSRF-Token (double submit, and the
access token carries the CSRF token's hash, so a cookie planted from a sibling domain does not match)."""

from __future__ import annotations

from starlette.responses import Response

from api.accounts.service import IssuedSession

# __Host-: Secure, Path=/ and no Domain enforced by the browser; the refresh cookie needs a narrower path instead.
ACCESS_COOKIE = "__Host-tl_access"
CSRF_COOKIE = "__Host-tl_csrf"
REFRESH_COOKIE = "tl_refresh"
REFRESH_PATH = "/api/v1/users"  # sent to /users/token/refresh and /users/logout only
CSRF_HEADER = "X-CSRF-Token"


def set_session_cookies(response: Response, issued: IssuedSession) -> None:
    access_age = int(issued.access_lifetime.total_seconds())
    refresh_age = int(issued.refresh_lifetime.total_seconds())
    response.set_cookie(
        ACCESS_COOKIE, issued.access_token, max_age=access_age, path="/", secure=True, httponly=True, samesite="lax"
    )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=refresh_age,
        path=REFRESH_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    assert issued.csrf_token is not None
    response.set_cookie(
        CSRF_COOKIE, issued.csrf_token, max_age=refresh_age, path="/", secure=True, httponly=False, samesite="strict"
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=True, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, httponly=False, samesite="strict")
