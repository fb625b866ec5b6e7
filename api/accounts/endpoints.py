"""/api/v1/users: register, login, refresh, logout, the caller's profile. HTTP only: decisions are in service.py."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status
from starlette.requests import Request

from api.accounts import service
from api.accounts.authentication import check_csrf
from api.accounts.cookies import REFRESH_COOKIE, clear_session_cookies, set_session_cookies
from api.accounts.schemas import LoggedOut, LoginIn, RefreshIn, RegisterIn, SessionOut, UserOut, UserUpdate
from api.deps import AuthConfigDep, CurrentPrincipal, CurrentUser, SessionDep
from api.envelope import Envelope, Meta, ok
from api.errors import NotAuthenticated

router = APIRouter(prefix="/users", tags=["accounts"])


def _now() -> datetime:
    return datetime.now(UTC)


def session_out(db: SessionDep, issued: service.IssuedSession, mode: str, response: Response) -> SessionOut:
    """The answer to a sign-in (password or SIWE): the tokens, or in cookie mode the cookies and the CSRF token."""
    out = SessionOut(
        user=service.user_out(db, issued.user),
        mode="cookie" if mode == "cookie" else "bearer",
        expires_in=int(issued.access_lifetime.total_seconds()),
        refresh_expires_in=int(issued.refresh_lifetime.total_seconds()),
    )
    if mode == "cookie":
        set_session_cookies(response, issued)
        out.csrf_token = issued.csrf_token
    else:
        out.access_token, out.refresh_token = issued.access_token, issued.refresh_token
    return out


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=Envelope[UserOut, Meta])
def register(body: RegisterIn, db: SessionDep, config: AuthConfigDep) -> Envelope[UserOut, Meta]:
    """A new investor account. The password: at least 12 characters, three kinds of characters (or 20+), not built
    on the email, not a known breached password. Errors: PASSWORD_TOO_WEAK, PASSWORD_BREACHED, EMAIL_TAKEN."""
    user = service.register(db, config, body, _now())
    return ok(service.user_out(db, user))


@router.post("/login", response_model=Envelope[SessionOut, Meta])
def login(body: LoginIn, db: SessionDep, config: AuthConfigDep, response: Response) -> Envelope[SessionOut, Meta]:
    """Sign in. `mode: bearer` answers with the tokens; `mode: cookie` sets them as Secure HttpOnly cookies and
    answers with the CSRF token. Five failures in a row lock the account for a while (ACCOUNT_LOCKED)."""
    issued = service.login(db, config, body.email, body.password, _now(), cookie=body.mode == "cookie")
    return ok(session_out(db, issued, body.mode, response))


@router.post("/token/refresh", response_model=Envelope[SessionOut, Meta])
def refresh(
    body: RefreshIn, request: Request, db: SessionDep, config: AuthConfigDep, response: Response
) -> Envelope[SessionOut, Meta]:
    """Exchange a refresh token (in the body, or the web app's cookie with its CSRF header) for new tokens. Each
    refresh token works once: a second use revokes the whole session (REFRESH_TOKEN_REUSED)."""
    token, mode = body.refresh_token, body.mode
    if token is None:
        token = request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise NotAuthenticated("No refresh token in the body or the session cookie.")
        check_csrf(request, None)
        mode = "cookie"
    issued = service.refresh(db, config, token, _now(), cookie=mode == "cookie")
    return ok(session_out(db, issued, mode, response))


@router.post("/logout", response_model=Envelope[LoggedOut, Meta])
def logout(
    principal: CurrentPrincipal, request: Request, db: SessionDep, response: Response
) -> Envelope[LoggedOut, Meta]:
    """End this session: its refresh tokens and every access token issued with them stop working."""
    families = [principal.claims.family_id]
    cookie_refresh = request.cookies.get(REFRESH_COOKIE)
    if cookie_refresh:
        other = service.family_of_refresh_token(db, cookie_refresh)
        if other is not None and other not in families:
            families.append(other)
    service.logout(db, families, _now())
    clear_session_cookies(response)
    return ok(LoggedOut())


@router.get("/me", response_model=Envelope[UserOut, Meta])
def read_me(user: CurrentUser, db: SessionDep) -> Envelope[UserOut, Meta]:
    return ok(service.user_out(db, user))


@router.put("/me", response_model=Envelope[UserOut, Meta])
def update_me(body: UserUpdate, user: CurrentUser, db: SessionDep) -> Envelope[UserOut, Meta]:
    return ok(service.user_out(db, service.update_me(db, user, body, _now())))
