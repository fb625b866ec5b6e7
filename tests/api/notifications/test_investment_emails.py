"""An investment that completes or fails is told to its user exactly once, over real SMTP, however often the job
runs and however many senders race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from api.notifications.job import Drained, collect, drain
from api.notifications.mailer import Mailer
from api.notifications.worker import run_once
from terra.local.smtp_sink import FakeSmtpSink
from tests.api.notifications.conftest import POLICY, World, smtp_config


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_completed_investment_is_emailed_once_however_often_the_job_runs(
    world: World, sink: FakeSmtpSink, mailer: Mailer
) -> None:
    user = world.user()
    investment = world.investment(user, amount_cents=12_345)
    world.move(investment, "paid", "minting", "completed")
    for _ in range(3):
        run_once(world.sessions, mailer, POLICY)
    world.move(investment, "final")  # final after completed: the same news, no second email
    run_once(world.sessions, mailer, POLICY)

    [email] = sink.messages()
    assert email["To"] == world.email_of(user)
    assert "complete" in email["Subject"]
    body = email.get_content()
    assert "$123.45" in body and str(investment) in body
    [row] = world.outbox()
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None


def test_a_failed_investment_gets_its_email(world: World, sink: FakeSmtpSink, mailer: Mailer) -> None:
    user = world.user()
    investment = world.investment(user)
    world.move(investment, "paid", "failed")
    run_once(world.sessions, mailer, POLICY)
    [email] = sink.messages()
    assert email["To"] == world.email_of(user) and "could not be completed" in email["Subject"]
    assert str(investment) in email.get_content()


def test_investments_still_under_way_tell_nothing(world: World, sink: FakeSmtpSink, mailer: Mailer) -> None:
    world.move(world.investment(world.user()), "paid", "minting")
    run_once(world.sessions, mailer, POLICY)
    assert sink.messages() == [] and world.outbox() == []


def test_two_senders_racing_send_each_email_once(world: World, tmp_path: object) -> None:
    users = [world.user() for _ in range(4)]
    for user in users:
        world.move(world.investment(user), "paid", "minting", "completed")
    with world.sessions.begin() as session:
        assert collect(session, _now()) == 4
        assert collect(session, _now()) == 0  # collecting again adds nothing
    with FakeSmtpSink(tmp_path / "slow", delay=0.2) as slow:  # type: ignore[operator]
        results: list[Drained] = []
        start = threading.Barrier(3)

        def sender() -> None:
            m = Mailer(smtp_config(slow))
            start.wait()
            results.append(drain(world.sessions, m, POLICY, _now))
            m.close()

        threads = [threading.Thread(target=sender) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(m["To"] for m in slow.messages()) == sorted(world.email_of(u) for u in users)
    assert sum(r.sent for r in results) == 4


def test_two_collectors_racing_add_each_notification_once(world: World) -> None:
    for _ in range(3):
        world.move(world.investment(world.user()), "paid", "minting", "completed")
    added: list[int] = []
    start = threading.Barrier(2)

    def collector() -> None:
        start.wait()
        with world.sessions.begin() as session:
            added.append(collect(session, _now()))

    threads = [threading.Thread(target=collector) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(added) == 3 and len(world.outbox()) == 3


def test_smtp_down_retries_later_and_loses_or_duplicates_nothing(world: World, tmp_path: object) -> None:
    user = world.user()
    world.move(world.investment(user), "paid", "minting", "completed")
    sink = FakeSmtpSink(tmp_path / "mail")  # type: ignore[operator]
    mailer = Mailer(smtp_config(sink))  # nobody listens on its port yet
    first = run_once(world.sessions, mailer, POLICY)
    assert (first.sent, first.retried) == (0, 1)
    [row] = world.outbox()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
    assert row["next_attempt_at"] > _now() + timedelta(seconds=50)

    with sink:
        assert drain(world.sessions, mailer, POLICY, _now).sent == 0  # not due yet: the backoff holds
        later = drain(world.sessions, mailer, POLICY, lambda: _now() + timedelta(minutes=2))
        assert later.sent == 1
        drain(world.sessions, mailer, POLICY, lambda: _now() + timedelta(hours=1))
        [email] = sink.messages()
    mailer.close()
    assert email["To"] == world.email_of(user)
    [row] = world.outbox()
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None


def test_after_the_last_attempt_the_email_is_given_up_with_its_error(world: World, tmp_path: object) -> None:
    world.move(world.investment(world.user()), "paid", "failed")
    mailer = Mailer(smtp_config(FakeSmtpSink(tmp_path / "never")))  # type: ignore[operator]
    when = _now()
    for _ in range(POLICY.max_attempts + 2):
        run_once(world.sessions, mailer, POLICY, now=lambda when=when: when)
        when += timedelta(days=1)
    [row] = world.outbox()
    assert row["status"] == "failed" and row["attempts"] == POLICY.max_attempts
    assert "Connection" in str(row["last_error"]) or "Errno" in str(row["last_error"])


def test_users_without_an_email_are_skipped(world: World, sink: FakeSmtpSink, mailer: Mailer) -> None:
    wallet_only = world.user(wallet_only=True)
    world.move(world.investment(wallet_only), "paid", "minting", "completed")
    erased = world.user()
    world.move(world.investment(erased), "paid", "minting", "completed")
    with world.sessions.begin() as session:
        collect(session, _now())
        # erased after its notification was queued, before it was sent
        session.execute(text("UPDATE users SET email = NULL, deleted_at = now() WHERE id = :u"), {"u": erased})
    result = drain(world.sessions, mailer, POLICY, _now)
    assert sink.messages() == []
    assert (result.sent, result.skipped) == (0, 1)
    assert [r["status"] for r in world.outbox()] == ["skipped"]


def test_a_change_the_cursor_passed_while_its_transaction_was_open_is_still_told(
    world: World, sink: FakeSmtpSink, mailer: Mailer
) -> None:
    """A status change whose id was taken before a later one's, but committed after the job already read the later
    one, is not skipped: the cursor does not pass changes younger than the settle window."""
    early, late = world.user(), world.user()
    slow_investment, fast_investment = world.investment(early), world.investment(late)
    world.move(slow_investment, "paid", "minting")
    world.move(fast_investment, "paid", "minting")
    from core.investments import get_investment, set_status

    with world.sessions.begin() as slow:  # takes its history id first, commits last
        found = get_investment(slow, slow_investment, lock=True)
        assert found is not None
        set_status(slow, found, "completed", cause="test:slow")
        world.move(fast_investment, "completed")
        run_once(world.sessions, mailer, POLICY)
        assert [m["To"] for m in sink.messages()] == [world.email_of(late)]
    run_once(world.sessions, mailer, POLICY)
    assert sorted(m["To"] for m in sink.messages()) == sorted([world.email_of(early), world.email_of(late)])
