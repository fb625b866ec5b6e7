"""Who is calling: a Bearer token (API clients) or the session cookie (the web app, CSRF-checked on every
state-changing method). The token must be valid, unexpired, and its login (refresh-token family) not revoked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request

from api.accounts import repository
from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER
from api.accounts.tokens import AccessClaims, digest, read_access_token, same
from api.errors import CsrfFailed, InvalidToken, NotAuthenticated, PermissionDenied, SessionRevoked
from core.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: User
    claims: AccessClaims
    via_cookie: bool


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def check_csrf(request: Request, expected_hash: str | None) -> None:
    """Double submit: the header equals the CSRF cookie; and, when the access token names one, it is that token."""
    header = request.headers.get(CSRF_HEADER)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not header or not cookie or not same(header, cookie):
        raise CsrfFailed()
    if expected_hash is not None and not same(digest(header), expected_hash):
        raise CsrfFailed()


def authenticate(request: Request, session: Session, jwt_key: str) -> Principal:
    token = bearer_token(request)
    via_cookie = token is None
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        if not token:
            raise NotAuthenticated()
    claims = read_access_token(jwt_key, token)
    if via_cookie and request.method not in SAFE_METHODS:
        if claims.csrf_hash is None:  # a bearer token copied into the cookie: it was never issued for cookies
            raise CsrfFailed()
        check_csrf(request, claims.csrf_hash)
    return principal_of(session, claims, via_cookie)


def principal_of(session: Session, claims: AccessClaims, via_cookie: bool) -> Principal:
    """The caller behind valid claims, as long as the user exists and the login was not revoked (the WebSocket
    checks again before every push)."""
    user = repository.user_by_id(session, claims.user_id)
    if user is None or user.deleted_at is not None:  # an erased account's tokens die with it
        raise InvalidToken()
    family = repository.family(session, claims.family_id)
    if family is None or family.user_id != user.id or family.revoked_at is not None:
        raise SessionRevoked()
    return Principal(user, claims, via_cookie)


def authorize(session: Session, principal: Principal, permission: str) -> None:
    if not repository.has_permission(session, principal.user.id, permission):
        raise PermissionDenied(details={"permission": permission})
