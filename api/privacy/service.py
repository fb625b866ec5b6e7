"""Privacy decisions: who may erase their account and when. Never commits (the request owns the transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.accounts.lockout import LockState, after_attempt, is_locked
from api.accounts.passwords import verify_password
from api.accounts.service import AuthConfig
from api.errors import (
    AccountHasActiveInvestments,
    AccountLocked,
    InvalidToken,
    PasswordConfirmationFailed,
    PasswordConfirmationRequired,
)
from api.privacy import erasure, export, repository
from core.models import User


def data_export(session: Session, user: User) -> dict[str, Any]:
    return export.export(session, user)


def delete_account(session: Session, config: AuthConfig, user: User, password: str | None, now: datetime) -> User:
    """Erase `user` (PII gone, history kept anonymous). A password account confirms with its password (a stolen
    access token alone cannot erase anyone); refused while anything is under way (AccountHasActiveInvestments)."""
    locked = repository.lock_user(session, user.id)
    if locked is None or locked.deleted_at is not None:
        raise InvalidToken()
    confirm_password(locked, config, password, now)
    reasons = erasure.blockers(session, locked, now)
    if reasons:
        raise AccountHasActiveInvestments(details={"reasons": reasons})
    erasure.erase(session, locked, now)
    return locked


def confirm_password(user: User, config: AuthConfig, password: str | None, now: datetime) -> None:
    if user.password_hash is None:
        return  # wallet-only: the SIWE session is the proof
    if password is None:
        raise PasswordConfirmationRequired()
    state = LockState(user.failed_login_count, user.locked_until)
    if is_locked(state, now):
        assert state.locked_until is not None
        seconds = max(1, int((state.locked_until - now).total_seconds()))
        raise AccountLocked(details={"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)})
    succeeded = verify_password(user.password_hash, password)
    if not succeeded:
        state = after_attempt(
            state, succeeded=False, now=now, threshold=config.lockout_threshold, duration=config.lockout_duration
        )
        user.failed_login_count, user.locked_until = state.failed, state.locked_until
        raise PasswordConfirmationFailed()
