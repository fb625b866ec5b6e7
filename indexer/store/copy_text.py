"""COPY ... FROM STDIN text format, built in one string per table: a backfill writes millions of rows, and
formatting them with f-strings is several times faster than a row-by-row adapter. Pure.

Every value is checked against what its column holds before it becomes text: a hash or address carrying a tab, a
newline or a backslash would split or forge a COPY row, and one in another case would be a second text for the same
value. A value that fails is refused here (CopyValueError) rather than sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_HASH = re.compile(r"0x[0-9a-f]{64}").fullmatch
_ADDRESS = re.compile(r"0x[0-9a-f]{40}").fullmatch

# How a column's value becomes COPY text: the check (or escape) applied to it.
HASH, ADDRESS, INT, TIME, TEXT, NAME = "hash", "address", "int", "time", "text", "name"


class CopyValueError(ValueError):
    """A value is not what its column holds (e.g. a hash that is not 0x + 64 lowercase hex)."""


def text_field(value: str) -> str:
    """Escape a free-text value (JSON, CIDs); checked hex and numbers never need it."""
    if type(value) is not str:
        raise _refuse("text", value, "a string")
    return value.translate(_SPECIAL) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) else value


def _refuse(column: str, value: object, expected: str) -> CopyValueError:
    shown = repr(value)
    return CopyValueError(f"{column}: {shown[:90]}{'…' if len(shown) > 90 else ''} is not {expected}")


class Fields:
    """The checks of one rendering. Hashes, addresses and block times repeat (a block's hash, a holder), so each
    distinct value is checked once and later rows only look it up."""

    def __init__(self) -> None:
        self.hashes: set[str] = set()
        self.addresses: set[str] = set()
        self.times: dict[datetime, str] = {}
        self.names: set[str] = set()

    def hash(self, value: Any, column: str) -> str:
        if type(value) is not str or _HASH(value) is None:
            raise _refuse(column, value, "a 0x-prefixed lowercase 32-byte hex")
        self.hashes.add(value)
        return value

    def address(self, value: Any, column: str) -> str:
        if type(value) is not str or _ADDRESS(value) is None:
            raise _refuse(column, value, "a 0x-prefixed lowercase 20-byte hex address")
        self.addresses.add(value)
        return value

    def int(self, value: Any, column: str) -> str:
        if type(value) is not int:  # bool is an int subclass and would render as True
            raise _refuse(column, value, "an integer")
        return str(value)

    def time(self, value: Any, column: str) -> str:
        if type(value) is not datetime or value.tzinfo is None:
            raise _refuse(column, value, "an aware datetime")
        text = self.times[value] = value.isoformat()
        return text

    def text(self, value: Any, column: str) -> str:
        if type(value) is not str:
            raise _refuse(column, value, "a string")
        return text_field(value)

    def name(self, value: Any, column: str) -> str:
        if type(value) is not str or not value.isidentifier():
            raise _refuse(column, value, "a name")
        self.names.add(value)
        return value


# Per kind: the expression of the fast path, given the value's expression `v` and the column `c`. A hash, address
# or time checked earlier in this rendering is looked up, not checked again. An int renders as it is: a non-int
# is refused by PostgreSQL in an int column, and one holding a tab or newline would change the text's shape, which
# `Renderer.render` counts.
_FAST = {
    HASH: "{{{v} if {v} in hashes else f.hash({v}, {c!r})}}",
    ADDRESS: "{{{v} if {v} in addresses else f.address({v}, {c!r})}}",
    TIME: "{{times.get({v}) or f.time({v}, {c!r})}}",
    INT: "{{{v}}}",
    TEXT: "{{text_field({v})}}",
    NAME: "{{{v} if {v} in names else f.name({v}, {c!r})}}",
}


class Renderer:
    """COPY text of one table's rows: `render(rows, chain_id, finalized, fields)`.

    `columns` are (column, Python expression over the row `r`, kind) after the leading chain_id; `final`, the
    expression of the row's block number where the table has a `final` column, adds it last; `helpers` are functions
    the expressions call. The line is generated once per table as one f-string: the column list and the text come
    from the same `columns`, and no per-row loop over them is paid on a million rows."""

    def __init__(
        self, columns: Sequence[tuple[str, str, str]], final: str | None, helpers: Mapping[str, Any] | None = None
    ) -> None:
        parts = ["{chain}"] + [_FAST[kind].format(v=expr, c=column) for column, expr, kind in columns]
        if final is not None:
            parts.append(f"{{'t' if {final} <= finalized else 'f'}}")
        strict = [f"    f.{kind}({expr}, {column!r})" for column, expr, kind in columns]
        body = "\\t".join(parts)
        source = "\n".join(
            [
                "def bind(chain, finalized, f):",
                "    hashes, addresses, times, names = f.hashes, f.addresses, f.times, f.names",
                "    def line(r):",
                f'        return f"{body}\\n"',
                "    return line",
                "def check(r, f):",
                *strict,
                "",
            ]
        )
        namespace: dict[str, Any] = {"text_field": text_field, **(helpers or {})}
        exec(source, namespace)  # noqa: S102 - source built from the store's own column lists only
        self._bind: Callable[[int, int, Fields], Callable[[Any], str]] = namespace["bind"]
        self._check: Callable[[Any, Fields], None] = namespace["check"]
        self._tabs = len(columns) + (final is not None)  # separators per line

    def render(self, rows: Sequence[Any], chain_id: int, finalized: int, fields: Fields) -> str:
        if type(chain_id) is not int or type(finalized) is not int:
            raise _refuse("chain_id/finalized", (chain_id, finalized), "integers")
        line = self._bind(chain_id, finalized, fields)
        text = "".join([line(r) for r in rows])
        if text.count("\n") != len(rows) or text.count("\t") != len(rows) * self._tabs:
            for r in rows:  # name the value that broke the shape
                self._check(r, fields)
            raise CopyValueError("a value holds a tab or newline its column cannot")
        return text
