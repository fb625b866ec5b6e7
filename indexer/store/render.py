"""Effects -> what the store writes: COPY text for the bulky tables, small values for the rest. Pure: the backfill
renders in its preparing thread, so the writer thread only sends text to PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from indexer.fold import Effects
from indexer.records import EventRecord, args_json
from indexer.store.copy_text import Timestamps, copy_text, flag, text_field


@dataclass(frozen=True)
class Rendered:
    finalized: int  # the finalized block the `final` flags in the texts were computed with
    small: Effects  # deltas, projects, exits, distributions, last-writer maps (bulky row lists emptied)
    event_count: int = 0
    events: str = ""
    mints: str = ""
    payments: str = ""
    transfers: str = ""
    mint_series: str = ""
    payment_series: str = ""
    months: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)  # series table -> (year, month)


def render_events(chain_id: int, records: Sequence[EventRecord], finalized: int) -> str:
    ts = Timestamps()

    def line(r: EventRecord) -> str:
        return (
            f"{chain_id}\t{r.block_hash}\t{r.log_index}\t{r.block_number}\t{r.tx_hash}\t{r.tx_index}\t"
            f"{ts(r.block_time)}\t{r.contract}\t{r.name}\t{text_field(args_json(r.args))}\t"
            f"{flag(r.block_number <= finalized)}\n"
        )

    return copy_text(records, line)


def _render_mints(chain_id: int, rows: Sequence[tuple[Any, ...]], finalized: int, ts: Timestamps) -> tuple[str, str]:
    # row: (payment_ref, project, investor, amount, block_number, block_hash, tx_hash, log_index, block_time)
    table = copy_text(
        rows,
        lambda r: (
            f"{chain_id}\t{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t{ts(r[8])}\t{flag(r[4] <= finalized)}\n"
        ),
    )
    series = copy_text(
        rows, lambda r: f"{chain_id}\t{ts(r[8])}\t{r[4]}\t{r[5]}\t{r[7]}\t{r[6]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[0]}\n"
    )
    return table, series


def _render_payments(chain_id: int, rows: Sequence[tuple[Any, ...]], finalized: int, ts: Timestamps) -> tuple[str, str]:
    # row: (payment_ref, payer, project, token, amount, block_number, block_hash, tx_hash, log_index, block_time)
    table = copy_text(
        rows,
        lambda r: (
            f"{chain_id}\t{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t{r[8]}\t{ts(r[9])}\t"
            f"{flag(r[5] <= finalized)}\n"
        ),
    )
    series = copy_text(
        rows,
        lambda r: f"{chain_id}\t{ts(r[9])}\t{r[5]}\t{r[6]}\t{r[8]}\t{r[7]}\t{r[2]}\t{r[1]}\t{r[3]}\t{r[4]}\t{r[0]}\n",
    )
    return table, series


def _render_transfers(chain_id: int, rows: Sequence[tuple[Any, ...]], ts: Timestamps) -> str:
    # row: (block_time, block_number, block_hash, log_index, batch_index, tx_hash, operator, from, to, project, amount)
    return copy_text(
        rows,
        lambda t: (
            f"{chain_id}\t{ts(t[0])}\t{t[1]}\t{t[2]}\t{t[3]}\t{t[4]}\t{t[5]}\t{t[6]}\t{t[7]}\t{t[8]}\t{t[9]}\t{t[10]}\n"
        ),
    )


def _months(moments: Sequence[Any]) -> frozenset[tuple[int, int]]:
    return frozenset({(m.year, m.month) for m in set(moments)})


def render_effects(chain_id: int, fx: Effects, finalized: int) -> Rendered:
    ts = Timestamps()
    mints, mint_series = _render_mints(chain_id, fx.mints, finalized, ts)
    payments, payment_series = _render_payments(chain_id, fx.payments, finalized, ts)
    months = {
        "transfer_series": _months([t[0] for t in fx.transfers]),
        "mint_series": _months([m[8] for m in fx.mints]),
        "payment_series": _months([p[9] for p in fx.payments]),
    }
    small = replace(fx, mints=[], payments=[], transfers=[])
    return Rendered(
        finalized,
        small,
        mints=mints,
        payments=payments,
        transfers=_render_transfers(chain_id, fx.transfers, ts),
        mint_series=mint_series,
        payment_series=payment_series,
        months=months,
    )


def render_batch(chain_id: int, records: Sequence[EventRecord], fx: Effects, finalized: int) -> Rendered:
    """Everything a batch whose records are all new writes, events included."""
    rendered = render_effects(chain_id, fx, finalized)
    return replace(rendered, event_count=len(records), events=render_events(chain_id, records, finalized))
