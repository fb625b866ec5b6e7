"""The lockout rule against a model: over any sequence of attempts and clock steps, an account is locked exactly
when `threshold` failures in a row happened within the last lock's reach, and a lock always lasts `duration`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from api.accounts.lockout import LockState, after_attempt, is_locked

START = datetime(2026, 1, 1, tzinfo=UTC)
DURATION = timedelta(minutes=15)


@given(
    threshold=st.integers(1, 6),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 20 * 60)), max_size=40),
)
def test_lockout_matches_the_model(threshold: int, steps: list[tuple[bool, int]]) -> None:
    state, now = LockState(0, None), START
    streak, lock_ends = 0, None  # the model
    for succeeded, wait in steps:
        now += timedelta(seconds=wait)
        locked = lock_ends is not None and lock_ends > now
        assert is_locked(state, now) is locked
        if locked:
            continue  # refused without looking at the password: nothing changes
        state = after_attempt(state, succeeded=succeeded, now=now, threshold=threshold, duration=DURATION)
        streak = 0 if succeeded else streak + 1
        if streak >= threshold:
            streak, lock_ends = 0, now + DURATION
        assert state.failed == streak < threshold
        if not succeeded and state.locked_until == now + DURATION:
            assert lock_ends == now + DURATION


def test_five_failures_lock_for_the_duration_and_a_success_clears() -> None:
    state = LockState(0, None)
    for _ in range(4):
        state = after_attempt(state, succeeded=False, now=START, threshold=5, duration=DURATION)
    assert state == LockState(4, None) and not is_locked(state, START)
    locked = after_attempt(state, succeeded=False, now=START, threshold=5, duration=DURATION)
    assert locked == LockState(0, START + DURATION)
    assert is_locked(locked, START + DURATION - timedelta(seconds=1)) and not is_locked(locked, START + DURATION)
    assert after_attempt(state, succeeded=True, now=START, threshold=5, duration=DURATION) == LockState(0, None)
