"""The tables the store fills with COPY: each one's name, its column list and its line renderer, both taken from
the row's fields (indexer/rows.py, indexer/records.py), so that the text cannot drift from the columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from indexer.records import EventRecord, args_json
from indexer.rows import MintRow, PaymentRow, TransferRow
from indexer.store.copy_text import ADDRESS, HASH, INT, NAME, TEXT, TIME, Fields, Renderer

# What each field name holds, across all rows (one meaning per name); anything else is an integer.
KINDS = {
    "block_hash": HASH,
    "tx_hash": HASH,
    "payment_ref": HASH,
    "investor": ADDRESS,
    "payer": ADDRESS,
    "token": ADDRESS,
    "operator": ADDRESS,
    "from_address": ADDRESS,
    "to_address": ADDRESS,
    "contract": ADDRESS,
    "block_time": TIME,
}


@dataclass(frozen=True)
class CopyTable:
    name: str
    columns: tuple[str, ...]  # chain_id first, `final` last where the table has it
    renderer: Renderer

    @property
    def copy_sql(self) -> str:
        return f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN"

    def column_list(self) -> str:
        return ", ".join(self.columns)

    def render(self, rows: Sequence[Any], chain_id: int, finalized: int, fields: Fields) -> str:
        """COPY text of `rows`; `final` (where the table has it) says whether a row's block is at most `finalized`."""
        return self.renderer.render(rows, chain_id, finalized, fields)


def _field(row: type[NamedTuple], name: str) -> str:
    """The expression reading field `name` of a row: by its index, which the name gives (a tuple index is several
    times cheaper than a NamedTuple attribute on a million rows)."""
    return f"r[{row._fields.index(name)}]"


def _of_row(name: str, row: type[NamedTuple], final: bool) -> CopyTable:
    spec = [(f, _field(row, f), KINDS.get(f, INT)) for f in row._fields]
    finality = _field(row, "block_number") if final else None
    return CopyTable(name, ("chain_id", *row._fields, *(("final",) if final else ())), Renderer(spec, finality))


# chain_events: the record's fields, `name` stored as event_name and the args as JSONB text.
_EVENT_SPEC = [
    (column, _field(EventRecord, field), KINDS.get(field, INT))
    for column, field in (
        ("block_hash", "block_hash"),
        ("log_index", "log_index"),
        ("block_number", "block_number"),
        ("tx_hash", "tx_hash"),
        ("tx_index", "tx_index"),
        ("block_time", "block_time"),
        ("contract", "contract"),
    )
]
_EVENT_SPEC += [
    ("event_name", _field(EventRecord, "name"), NAME),
    ("args", f"args_json({_field(EventRecord, 'args')})", TEXT),
]

EVENTS = CopyTable(
    "chain_events",
    ("chain_id", *(c for c, _e, _k in _EVENT_SPEC), "final"),
    Renderer(_EVENT_SPEC, _field(EventRecord, "block_number"), helpers={"args_json": args_json}),
)
MINTS = _of_row("chain_mints", MintRow, final=True)
PAYMENTS = _of_row("chain_payments", PaymentRow, final=True)
TRANSFER_SERIES = _of_row("chain_transfer_series", TransferRow, final=False)
MINT_SERIES = _of_row("chain_mint_series", MintRow, final=False)
PAYMENT_SERIES = _of_row("chain_payment_series", PaymentRow, final=False)
SERIES = {t.name: t for t in (TRANSFER_SERIES, MINT_SERIES, PAYMENT_SERIES)}
