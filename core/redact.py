"""Text made safe for a terminal or a log: provider URLs carry API keys (in the path, the query or the user part),
so a URL is shown as scheme, host and port only, and the key-bearing parts of every configured URL are scrubbed
wherever an error message (a library's, a server's echo) happens to put them."""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote, urlsplit

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>()\[\]{}]+")
_secrets: set[str] = set()
_lock = threading.Lock()
HIDDEN = "***"


def shown_url(url: str) -> str:
    """The URL as it may appear in messages: only scheme, host and port."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


def shown_value(value: str) -> str:
    """A setting's value quoted for an error: a URL as `shown_url`; anything else up to its first '/', '?', '#' or
    '@' (a mistyped URL's key sits after one of them)."""
    if "://" in value:
        return repr(shown_url(value))
    head = re.split(r"[/?#@]", value, maxsplit=1)[0]
    return repr(head) if head == value else repr(head + "/" + HIDDEN)


def looks_like_a_key(piece: str) -> bool:
    """Path pieces such as "v3", "rpc" or "polygon" are words; API keys are long and mostly carry digits."""
    return len(piece) >= 8 and (any(c.isdigit() for c in piece) or len(piece) >= 20)


def _shown_match(match: re.Match[str]) -> str:
    """A URL found in prose, without the punctuation that ends its sentence ("at http://host:8545: refused")."""
    url = match.group(0)
    stripped = url.rstrip(".,:;!?")
    return shown_url(stripped) + url[len(stripped) :]


# Shorter values are not scrubbed: replacing every "t" or "ab" of every later line would wreck the logs, and no key
# or password that short protects anything (the settings refuse short keys where they can).
MIN_SECRET_LENGTH = 4


def register_secret(value: str) -> None:
    """Remember a secret (a password, a key) to scrub from any text `redact` sees later."""
    if len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def register_secret_url(url: str, *, password_only: bool = False) -> None:
    """Remember the parts of `url` that may be a key (only its password for a database URL, whose user and
    database names are plain words shown on purpose)."""
    parts = urlsplit(url)
    pieces = [parts.password or ""]
    if not password_only:
        pieces += [parts.username or "", parts.query, parts.fragment, *parts.path.split("/"), *parts.query.split("&")]
        pieces += [q.partition("=")[2] for q in parts.query.split("&")]
    for piece in pieces:
        for form in {piece, unquote(piece)}:
            if form and (looks_like_a_key(form) or form == parts.password):
                register_secret(form)


def redact(text: str, *, urls: bool = True) -> str:
    """`text` with every registered secret replaced by ***, and (unless `urls` is false: output that prints a URL
    on purpose) every URL cut to scheme, host and port."""
    if urls:
        text = _URL.sub(_shown_match, text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text
