"""Plain-text fields of the catalogue: no control characters (PostgreSQL text cannot even hold NUL) and no markup
(the API serves text, never HTML: a tag in a name or a description is refused, not stored to be escaped later)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def _plain(value: str, *, multiline: bool) -> str:
    value = value.strip()
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        raise ValueError("control characters are not allowed")
    if _MARKUP.search(value):
        raise ValueError("markup (HTML tags) is not allowed; plain text only")
    if not value:
        raise ValueError("must not be blank")
    return value


def _line(value: str) -> str:
    return _plain(value, multiline=False)


def _text(value: str) -> str:
    return _plain(value, multiline=True)


Line = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_line)]
Text = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_text)]
