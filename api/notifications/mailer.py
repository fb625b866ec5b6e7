"""SMTP through the standard library: one connection reused while it works, STARTTLS and AUTH when configured.
Failures are sorted into temporary (try later) and permanent (the server refused this message for good)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from api.notifications.templates import Email


class TemporaryFailure(Exception):
    """The server is down, timed out or answered 4xx: the message may go through later."""


class PermanentFailure(Exception):
    """The server refused the message with a 5xx (an unknown mailbox, a rejected sender)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None  # never logged: registered with core.redact by ApiSettings
    starttls: bool = True
    timeout: float = 10.0


def message(config: SmtpConfig, to: str, email: Email, key: str) -> EmailMessage:
    """The message; its Message-ID derives from the outbox row (`key`), so that a resend after a crash between the
    server's acceptance and our commit can be recognised as the same message downstream."""
    domain = parseaddr(config.sender)[1].rpartition("@")[2] or "terralumina.org"
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = to
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = f"<{key}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(email.body)
    return msg


class Mailer:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        try:
            smtp = self._connection()
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes}") from None
            raise TemporaryFailure(f"recipient deferred: {codes}") from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            text = f"{exc.smtp_code} {reply}"
            if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError):
                raise PermanentFailure(text) from None
            raise TemporaryFailure(text) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        c = self.config
        smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        try:
            if c.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if c.user is not None and c.password is not None:
                smtp.login(c.user, c.password)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None
