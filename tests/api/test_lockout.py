"""Five failed logins in a row lock the account for the configured time; while locked even the right password is
refused (so guessing on teaches nothing); a success resets the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import User
from tests.api.conftest import STRONG_PASSWORD, Api
from tests.api.test_conventions import assert_error

WRONG = "Not-The-Password-99"


def failed_count(api: Api, email: str) -> int:
    with Session(api.engine) as session:
        return int(session.scalars(select(User.failed_login_count).where(User.email == email)).one())


def test_the_fifth_failure_locks_and_the_right_password_is_then_refused(api: Api) -> None:
    user = api.register()
    for attempt in range(1, 6):
        assert_error(api.login(user["email"], WRONG), 401, "INVALID_CREDENTIALS")
        assert failed_count(api, user["email"]) == (attempt if attempt < 5 else 0)  # counted (the 401 committed)
    locked = api.login(user["email"], STRONG_PASSWORD)
    body = assert_error(locked, 423, "ACCOUNT_LOCKED")
    seconds = body["error"]["details"]["retry_after_seconds"]
    assert 0 < seconds <= 900 and locked.headers["retry-after"] == str(seconds)


def test_the_lock_ends_after_its_time(api: Api) -> None:
    user = api.register()
    for _ in range(5):
        api.login(user["email"], WRONG)
    assert_error(api.login(user["email"], STRONG_PASSWORD), 423, "ACCOUNT_LOCKED")
    with Session(api.engine) as session, session.begin():  # the lock's time has passed
        session.execute(update(User).values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert api.login(user["email"], STRONG_PASSWORD).status_code == 200


def test_a_success_resets_the_count(api: Api) -> None:
    user = api.register()
    for _ in range(4):
        api.login(user["email"], WRONG)
    assert api.login(user["email"], STRONG_PASSWORD).status_code == 200
    assert failed_count(api, user["email"]) == 0
    for _ in range(4):
        assert_error(api.login(user["email"], WRONG), 401, "INVALID_CREDENTIALS")
    assert api.login(user["email"], STRONG_PASSWORD).status_code == 200


def test_threshold_and_duration_come_from_settings(make_app: Any) -> None:
    with TestClient(make_app(api_lockout_threshold=2, api_lockout_seconds=60), base_url="https://testserver") as c:
        api = Api(c, c.app.state.engine)  # type: ignore[attr-defined]
        user = api.register()
        api.login(user["email"], WRONG)
        api.login(user["email"], WRONG)
        body = assert_error(api.login(user["email"], STRONG_PASSWORD), 423, "ACCOUNT_LOCKED")
        assert body["error"]["details"]["retry_after_seconds"] <= 60
