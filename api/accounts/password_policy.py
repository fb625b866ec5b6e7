"""The password policy as a pure function: length, kinds of characters, not built on the email, not a known
common password. Breach look-ups (HaveIBeenPwned) are in breach.py; this module does no I/O after import."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 would take more; a bound keeps one request's hashing cost known
# Below this length a password needs three of the four kinds; a long passphrase may be all lowercase.
PASSPHRASE_LENGTH = 20
MIN_KINDS = 3
MIN_DISTINCT = 5

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def character_kinds(password: str) -> int:
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.casefold() in common_passwords()


def policy_failures(password: str, email: str | None = None) -> list[str]:
    """Why `password` is refused (stable reason codes, empty when it is acceptable)."""
    reasons: list[str] = []
    # Length as typed (compatibility normalisation can expand one character into several).
    if len(password) < MIN_LENGTH:
        reasons.append("too_short")
    if len(password) > MAX_LENGTH:
        reasons.append("too_long")
    length = len(password)
    password = unicodedata.normalize("NFKC", password)
    if length < PASSPHRASE_LENGTH and character_kinds(password) < MIN_KINDS:
        reasons.append("too_few_character_kinds")
    if len(set(password)) < MIN_DISTINCT:
        reasons.append("too_repetitive")
    local = (email or "").partition("@")[0].casefold()
    if len(local) >= 4 and local in password.casefold():
        reasons.append("contains_email")
    if is_common(password):
        reasons.append("common_password")
    return reasons
