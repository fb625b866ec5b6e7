"""The emails are plain text: nothing a project name holds can break a header or become markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

from hypothesis import given
from hypothesis import strategies as st

from api.notifications.mailer import SmtpConfig, message
from api.notifications.retry import MAX_WAIT, next_attempt, retry_delay
from api.notifications.templates import dollars, one_line, render

CONFIG = SmtpConfig(host="127.0.0.1", port=25, sender="Terra Lumina <n@terralumina.test>")


def _payload(name: str) -> dict[str, object]:
    return {"investment_id": "abc", "project_id": 7, "project_name": name, "amount_cents": 1000, "mint_tx_hash": None}


@given(st.text(max_size=300))
def test_any_project_name_stays_on_one_line_of_the_subject(name: str) -> None:
    email = render("investment_completed", _payload(name))
    assert "\n" not in email.subject and "\r" not in email.subject
    built = message(CONFIG, "ada@example.org", email, "notification-1")
    parsed = BytesParser(policy=policy.default).parsebytes(built.as_bytes())
    assert set(parsed.keys()) == {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    }
    assert parsed["To"] == "ada@example.org"


def test_a_header_injection_attempt_in_a_name_is_flattened() -> None:
    email = render("investment_failed", _payload("Solar\r\nBcc: victim@example.org\r\n\r\n<script>x</script>"))
    built = message(CONFIG, "ada@example.org", email, "notification-2")
    assert built["Bcc"] is None
    assert built.get_content_type() == "text/plain"
    assert "Solar Bcc: victim@example.org <script>x</script>" in email.subject


@given(st.integers(min_value=0, max_value=10**15))
def test_dollars_are_exact(cents: int) -> None:
    shown = dollars(cents)
    assert int(shown.replace("$", "").replace(",", "").replace(".", "")) == cents


@given(st.integers(min_value=1, max_value=100), st.floats(min_value=0.001, max_value=3600))
def test_retry_waits_double_up_to_a_cap(attempts: int, base: float) -> None:
    assert retry_delay(attempts, base) <= MAX_WAIT
    assert retry_delay(attempts + 1, base) >= retry_delay(attempts, base)
    if retry_delay(attempts + 1, base) < MAX_WAIT:
        doubled = retry_delay(attempts + 1, base) - 2 * retry_delay(attempts, base)
        assert abs(doubled) <= timedelta(microseconds=1)  # timedelta keeps microseconds


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_the_last_attempt_gives_up(attempts: int, max_attempts: int) -> None:
    now = datetime.now(UTC)
    assert (next_attempt(attempts, max_attempts, 1.0, now) is None) == (attempts >= max_attempts)


def test_the_message_id_is_the_outbox_rows_so_a_resend_is_recognisable() -> None:
    email = render("investment_failed", _payload("Wind"))
    first, again = (message(CONFIG, "ada@example.org", email, "notification-7") for _ in range(2))
    assert first["Message-ID"] == again["Message-ID"] == "<notification-7@terralumina.test>"


def test_one_line_cuts_long_values() -> None:
    assert len(one_line("x" * 1000)) <= 120
