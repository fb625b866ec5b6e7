"""The job runs inside the API process when SMTP is configured, and not at all when it is not; the SMTP password
never reaches a log."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from api.notifications.worker import smtp_config
from core.redact import redact
from terra.local.smtp_sink import FakeSmtpSink
from tests.api.conftest import api_settings
from tests.api.notifications.conftest import World


def _wait_for(predicate: Any, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_api_process_sends_notifications_when_smtp_is_configured(
    world: World, sink: FakeSmtpSink, make_app: Any
) -> None:
    user = world.user()
    world.move(world.investment(user), "paid", "minting", "completed")
    app = make_app(smtp_host=sink.host, smtp_port=sink.port, smtp_starttls=False, notify_interval_seconds=0.2)
    with TestClient(app):
        assert _wait_for(lambda: len(sink.messages()) == 1)
    assert sink.messages()[0]["To"] == world.email_of(user)


def test_without_smtp_nothing_is_queued_or_sent(world: World, make_app: Any) -> None:
    world.move(world.investment(world.user()), "paid", "minting", "completed")
    with TestClient(make_app()) as client:
        assert client.get("/health").status_code == 200
    assert world.outbox() == []
    assert smtp_config(api_settings()) is None


def test_the_smtp_password_is_scrubbed_from_logs() -> None:
    settings = api_settings(smtp_host="smtp.example.org", smtp_password="s3cret-smtp-passw0rd")
    assert "s3cret-smtp-passw0rd" not in repr(settings)
    assert "s3cret-smtp-passw0rd" not in redact("login failed for s3cret-smtp-passw0rd")
