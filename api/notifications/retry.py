"""When to try a failed email again, pure: doubling waits from a base, capped, and a last attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_WAIT = timedelta(hours=6)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1, 2, ...): base, 2·base, 4·base, ... at most MAX_WAIT."""
    exponent = min(max(attempts - 1, 0), 32)  # 2**32 · base is past the cap for any base ≥ 1e-5 s
    return min(timedelta(seconds=base_seconds * 2**exponent), MAX_WAIT)


def next_attempt(attempts: int, max_attempts: int, base_seconds: float, now: datetime) -> datetime | None:
    """When to try again after the `attempts`-th failure, or None: give up."""
    if attempts >= max_attempts:
        return None
    return now + retry_delay(attempts, base_seconds)
