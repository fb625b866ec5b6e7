"""Effects -> what the store writes: COPY text for the bulky tables, small values for the rest. Pure: the backfill
renders in its preparing thread, so the writer thread only sends text to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from indexer.fold import Effects
from indexer.records import EventRecord
from indexer.store.copy_tables import EVENTS, MINT_SERIES, MINTS, PAYMENT_SERIES, PAYMENTS, TRANSFER_SERIES
from indexer.store.copy_text import Fields


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


def render_events(chain_id: int, records: Sequence[EventRecord], finalized: int, checks: Fields | None = None) -> str:
    return EVENTS.render(records, chain_id, finalized, checks or Fields())


def _months(moments: Iterable[datetime]) -> frozenset[tuple[int, int]]:
    return frozenset({(m.year, m.month) for m in set(moments)})


def render_effects(chain_id: int, fx: Effects, finalized: int, checks: Fields | None = None) -> Rendered:
    f = checks or Fields()
    mints = MINTS.render(fx.mints, chain_id, finalized, f)
    payments = PAYMENTS.render(fx.payments, chain_id, finalized, f)
    transfers = TRANSFER_SERIES.render(fx.transfers, chain_id, finalized, f)
    mint_series = MINT_SERIES.render(fx.mints, chain_id, finalized, f)
    payment_series = PAYMENT_SERIES.render(fx.payments, chain_id, finalized, f)
    months = {  # after the texts: their block times are checked datetimes by now
        TRANSFER_SERIES.name: _months(t.block_time for t in fx.transfers),
        MINT_SERIES.name: _months(m.block_time for m in fx.mints),
        PAYMENT_SERIES.name: _months(p.block_time for p in fx.payments),
    }
    small = replace(fx, mints=[], payments=[], transfers=[])
    return Rendered(
        finalized,
        small,
        mints=mints,
        payments=payments,
        transfers=transfers,
        mint_series=mint_series,
        payment_series=payment_series,
        months=months,
    )


def render_batch(chain_id: int, records: Sequence[EventRecord], fx: Effects, finalized: int) -> Rendered:
    """Everything a batch whose records are all new writes, events included."""
    checks = Fields()
    rendered = render_effects(chain_id, fx, finalized, checks)
    return replace(rendered, event_count=len(records), events=render_events(chain_id, records, finalized, checks))
