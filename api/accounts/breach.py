"""Is a password known from breaches? The bundled common list always; HaveIBeenPwned's range API when enabled.

k-anonymity: only the first 5 hex digits of the password's SHA-1 leave this process; the service answers every
suffix it knows under that prefix (padded with fake ones) and the match happens here."""

from __future__ import annotations

import hashlib

import httpx
import structlog

from api.accounts.password_policy import is_common

log = structlog.get_logger("api.accounts")


def sha1_prefix_suffix(password: str) -> tuple[str, str]:
    digest = hashlib.sha1(password.encode("utf-8")).hexdigest().upper()  # noqa: S324 - the range API's own scheme
    return digest[:5], digest[5:]


def suffix_count(range_body: str, suffix: str) -> int:
    """How often `suffix` was seen, from a range answer of `SUFFIX:COUNT` lines (padding lines count 0)."""
    for line in range_body.splitlines():
        candidate, _, count = line.strip().partition(":")
        if candidate.upper() == suffix:
            try:
                return int(count)
            except ValueError:
                return 0
    return 0


class BreachChecker:
    def __init__(self, *, hibp_url: str | None, timeout: float = 3.0, client: httpx.Client | None = None) -> None:
        self.hibp_url = hibp_url  # None: the bundled list only
        self.timeout = timeout
        self.client = client

    def is_breached(self, password: str) -> bool:
        if is_common(password):
            return True
        if self.hibp_url is None:
            return False
        return self.hibp_count(password) > 0

    def hibp_count(self, password: str) -> int:
        """Times HaveIBeenPwned saw `password`; 0 when it cannot answer (logged: registration does not stall on
        an outside service, and the bundled list has already been checked)."""
        prefix, suffix = sha1_prefix_suffix(password)
        url = self.hibp_url.rstrip("/") + "/" + prefix if self.hibp_url else ""
        try:
            client = self.client or httpx.Client(timeout=self.timeout)
            try:
                answer = client.get(url, headers={"Add-Padding": "true", "User-Agent": "terra-lumina-api"})
            finally:
                if self.client is None:
                    client.close()
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("hibp_unavailable", error=type(exc).__name__)
            return 0
        return suffix_count(answer.text, suffix)
