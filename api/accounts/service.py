"""Account decisions: who may register, sign in, refresh or sign out, and what that changes. Takes a Session and
never commits (the request owns the transaction); raises the api.errors type of each refusal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from api.accounts import repository
from api.accounts.breach import BreachChecker
from api.accounts.lockout import LockState, after_attempt, is_locked
from api.accounts.password_policy import policy_failures
from api.accounts.passwords import hash_password, needs_rehash, verify_password
from api.accounts.roles import INVESTOR, PERMISSIONS, ROLES
from api.accounts.schemas import RegisterIn, UserOut, UserUpdate
from api.accounts.tokens import digest, issue_access_token, new_csrf_token, new_refresh_token
from api.errors import (
    AccountLocked,
    BreachedPassword,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    SessionRevoked,
    TokenExpired,
    WeakPassword,
)
from api.pagination import Page, PageParams, fetch_page
from core.models import User


@dataclass(frozen=True)
class AuthConfig:
    jwt_key: str
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    lockout_threshold: int
    lockout_duration: timedelta
    breaches: BreachChecker


@dataclass(frozen=True)
class IssuedSession:
    user: User
    family_id: uuid.UUID
    access_token: str
    refresh_token: str
    csrf_token: str | None  # cookie sessions only
    access_lifetime: timedelta
    refresh_lifetime: timedelta


def sync_builtin_roles(session: Session) -> None:
    repository.sync_roles(session, dict(PERMISSIONS), dict(ROLES))


def register(session: Session, config: AuthConfig, data: RegisterIn, now: datetime) -> User:
    reasons = policy_failures(data.password, data.email)
    if "common_password" in reasons:
        raise BreachedPassword()
    if reasons:
        raise WeakPassword(details={"reasons": reasons})
    if config.breaches.is_breached(data.password):
        raise BreachedPassword()
    user = repository.add_user(
        session, email=data.email, password_hash=hash_password(data.password), country=data.country, now=now
    )
    if user is None:
        raise EmailTaken()
    repository.grant_role(session, user.id, INVESTOR)
    return user


def login(
    session: Session, config: AuthConfig, email: str, password: str, now: datetime, cookie: bool
) -> IssuedSession:
    """A new session (refresh-token family). Failures count towards the lockout; a locked account is refused
    without looking at the password, so guessing on stops teaching anything."""
    user = repository.user_by_email_for_update(session, email)
    if user is None:
        verify_password(None, password)  # the same cost as a real check
        raise InvalidCredentials()
    state = LockState(user.failed_login_count, user.locked_until)
    if is_locked(state, now):
        assert state.locked_until is not None
        raise _locked(state.locked_until, now)
    succeeded = verify_password(user.password_hash, password)
    state = after_attempt(
        state, succeeded=succeeded, now=now, threshold=config.lockout_threshold, duration=config.lockout_duration
    )
    user.failed_login_count, user.locked_until = state.failed, state.locked_until
    if not succeeded:
        raise InvalidCredentials()
    if user.password_hash is not None and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return start_session(session, config, user, now, cookie)


def start_session(session: Session, config: AuthConfig, user: User, now: datetime, cookie: bool) -> IssuedSession:
    """A new session (refresh-token family) for a user who has just proven who they are: by password, or by a
    signed Sign-In with Ethereum message."""
    user.last_login_at = now
    family = repository.add_family(session, user.id, now)
    return _issue(session, config, user, family.id, now, cookie)


def refresh(session: Session, config: AuthConfig, token: str, now: datetime, cookie: bool) -> IssuedSession:
    """The next tokens of the same family. A token used before revokes its whole family: either the client or a
    thief has a copy, and we cannot tell which."""
    found = repository.refresh_token_for_update(session, digest(token))
    if found is None:
        raise InvalidToken()
    stored, family = found
    if family.revoked_at is not None:
        raise SessionRevoked()
    if stored.used_at is not None:
        repository.revoke_family(session, family.id, "reuse", now)
        raise RefreshTokenReused()
    if stored.expires_at <= now:
        raise TokenExpired()
    user = repository.user_by_id(session, family.user_id)
    if user is None:
        raise InvalidToken()
    stored.used_at = now
    return _issue(session, config, user, family.id, now, cookie)


def logout(session: Session, family_ids: list[uuid.UUID], now: datetime) -> None:
    for family_id in family_ids:
        repository.revoke_family(session, family_id, "logout", now)


def family_of_refresh_token(session: Session, token: str) -> uuid.UUID | None:
    found = repository.refresh_token_for_update(session, digest(token))
    return None if found is None else found[1].id


def update_me(session: Session, user: User, data: UserUpdate, now: datetime) -> User:
    user.country = data.country
    user.updated_at = now
    session.flush()
    return user


def user_out(session: Session, user: User, roles: list[str] | None = None) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        country=user.country,
        kyc_status=user.kyc_status,
        kyc_verified_at=user.kyc_verified_at,
        roles=roles if roles is not None else repository.role_names(session, user.id),
        created_at=user.created_at,
    )


def list_users(session: Session, params: PageParams) -> Page[UserOut]:
    page = fetch_page(session, repository.users_query(), params)
    roles = repository.roles_of(session, [u.id for u in page.items])
    return page.map(lambda u: user_out(session, u, roles[u.id]))


def grant_role(session: Session, user_id: uuid.UUID, role: str) -> None:
    repository.grant_role(session, user_id, role)


def _issue(
    session: Session, config: AuthConfig, user: User, family_id: uuid.UUID, now: datetime, cookie: bool
) -> IssuedSession:
    refresh_token, refresh_hash = new_refresh_token()
    repository.add_refresh_token(
        session, token_hash=refresh_hash, family_id=family_id, now=now, expires_at=now + config.refresh_lifetime
    )
    csrf = new_csrf_token() if cookie else None
    access = issue_access_token(
        config.jwt_key, user_id=user.id, family_id=family_id, now=now, lifetime=config.access_lifetime, csrf_token=csrf
    )
    return IssuedSession(user, family_id, access, refresh_token, csrf, config.access_lifetime, config.refresh_lifetime)


def _locked(until: datetime, now: datetime) -> AccountLocked:
    seconds = max(1, int((until - now).total_seconds()))
    return AccountLocked(details={"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)})
