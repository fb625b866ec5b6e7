"""Where the job runs: a thread in every API process (started by the app's lifespan when SMTP_HOST is set), each
turn collecting then draining. Several processes or replicas may run it at once: the cursor lock and SKIP LOCKED
share the work, the outbox's unique key keeps it single. No separate service to deploy or to forget."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.notifications.job import Drained, SendPolicy, collect, drain
from api.notifications.mailer import Mailer, SmtpConfig
from api.settings import ApiSettings

log = structlog.get_logger("api.notifications")


def _now() -> datetime:
    return datetime.now(UTC)


def smtp_config(settings: ApiSettings) -> SmtpConfig | None:
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


def send_policy(settings: ApiSettings) -> SendPolicy:
    return SendPolicy(max_attempts=settings.notify_max_attempts, retry_seconds=settings.notify_retry_seconds)


def run_once(
    sessions: sessionmaker[Session], mailer: Mailer, policy: SendPolicy, now: Callable[[], datetime] = _now
) -> Drained:
    """One turn: collect in its own transaction, then send what is due."""
    with sessions.begin() as session:
        collect(session, now())
    return drain(sessions, mailer, policy, now)


class NotificationWorker:
    def __init__(self, sessions: sessionmaker[Session], config: SmtpConfig, policy: SendPolicy, interval: float):
        self.sessions, self.mailer, self.policy, self.interval = sessions, Mailer(config), policy, interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="notifications", daemon=True)

    def start(self) -> NotificationWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                run_once(self.sessions, self.mailer, self.policy)
            except Exception as exc:  # noqa: BLE001 - a database hiccup: log it, try next turn
                log.error("notification_turn_failed", error_type=type(exc).__name__, exc_info=exc)
            self.mailer.close()
            self.stop_event.wait(self.interval)
        self.mailer.close()


def start_worker(settings: ApiSettings, sessions: sessionmaker[Session]) -> NotificationWorker | None:
    """The worker, started, or None when SMTP is not configured (no email is sent, nothing is queued)."""
    config = smtp_config(settings)
    if config is None:
        return None
    log.info("notifications_on", smtp_host=config.host, smtp_port=config.port, starttls=config.starttls)
    return NotificationWorker(sessions, config, send_policy(settings), settings.notify_interval_seconds).start()
