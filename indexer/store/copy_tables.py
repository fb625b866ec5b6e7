"""The tables the store fills with COPY: each one's name, its column list and its line renderer, both taken from
the row's fields (indexer/rows.py, indexer/records.py), so that the text cannot drift from the columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from indexer.records import args_json
from indexer.rows import MintRow, PaymentRow, TransferRow
from indexer.store.copy_text import ADDRESS, HASH, INT, TEXT, TIME, Fields, line_renderer

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
    bind: Callable[[int, int, Fields], Callable[[Any], str]]  # (chain id, finalized, checks) -> line(row)

    @property
    def copy_sql(self) -> str:
        return f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN"

    def column_list(self) -> str:
        return ", ".join(self.columns)


def _of_row(name: str, row: type[NamedTuple], final: bool) -> CopyTable:
    spec = [(f, f"r.{f}", KINDS.get(f, INT)) for f in row._fields]
    return CopyTable(name, ("chain_id", *row._fields, *(("final",) if final else ())), line_renderer(spec, final))


# chain_events: the record's fields, `name` stored as event_name and the args as JSONB text.
_EVENT_SPEC = [
    (column, f"r.{field}", KINDS.get(field, INT))
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
_EVENT_SPEC += [("event_name", "r.name", TEXT), ("args", "args_json(r.args)", TEXT)]

EVENTS = CopyTable(
    "chain_events",
    ("chain_id", *(c for c, _e, _k in _EVENT_SPEC), "final"),
    line_renderer(_EVENT_SPEC, final=True, helpers={"args_json": args_json}),
)
MINTS = _of_row("chain_mints", MintRow, final=True)
PAYMENTS = _of_row("chain_payments", PaymentRow, final=True)
TRANSFER_SERIES = _of_row("chain_transfer_series", TransferRow, final=False)
MINT_SERIES = _of_row("chain_mint_series", MintRow, final=False)
PAYMENT_SERIES = _of_row("chain_payment_series", PaymentRow, final=False)
SERIES = {t.name: t for t in (TRANSFER_SERIES, MINT_SERIES, PAYMENT_SERIES)}
