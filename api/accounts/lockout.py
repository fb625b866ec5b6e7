"""The lockout rule, pure: how an account's failed-login count and lock change with one login attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockState:
    failed: int  # failures in a row since the last success or lock
    locked_until: datetime | None


def is_locked(state: LockState, now: datetime) -> bool:
    return state.locked_until is not None and state.locked_until > now


def after_attempt(
    state: LockState, *, succeeded: bool, now: datetime, threshold: int, duration: timedelta
) -> LockState:
    """The state after an attempt on an account that was not locked at `now`: a success clears everything; the
    `threshold`-th failure in a row locks for `duration` and starts the count again."""
    if succeeded:
        return LockState(0, None)
    failed = state.failed + 1
    if failed >= threshold:
        return LockState(0, now + duration)
    return LockState(failed, state.locked_until)
