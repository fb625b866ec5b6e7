"""Fetched logs and headers -> store batches: decode, stamp block times, cut at block boundaries. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from indexer.checkpoint import Checkpoint
from indexer.decode import decode_log
from indexer.errors import InconsistentRange
from indexer.records import EventRecord, record_of, utc
from indexer.store import Batch
from indexer.types import BlockHeader, RawLog


@dataclass(frozen=True)
class MirrorTarget:
    """What one indexer mirrors: a chain, the contracts' addresses (lowercase) and where they start."""

    chain_id: int
    addresses: tuple[str, ...]
    deploy_block: int
    topics: tuple[str, ...]  # topic0 of every event we decode: what a header's bloom is checked for


def records_from_logs(logs: Sequence[RawLog], headers: Mapping[int, BlockHeader]) -> list[EventRecord]:
    """Our events among `logs`, in chain order; every log's block must be in `headers`, with the same hash."""
    times: dict[int, datetime] = {}
    out: list[EventRecord] = []
    for log in logs:
        if log.removed:
            continue
        event = decode_log(log)
        if event is None:
            continue
        when = times.get(log.block_number)
        if when is None:
            header = headers[log.block_number]
            if header.hash != log.block_hash:
                raise InconsistentRange(f"block {log.block_number}: log says {log.block_hash}, header {header.hash}")
            when = times[log.block_number] = utc(header.timestamp)
        out.append(record_of(log, event, when))
    if any(
        a.block_number > b.block_number or (a.block_number == b.block_number and a.log_index >= b.log_index)
        for a, b in zip(out, out[1:], strict=False)
    ):
        out.sort(key=lambda r: (r.block_number, r.log_index))
    return out


def cut_batches(
    chain_id: int,
    from_block: int,
    to_header: BlockHeader,
    records: Sequence[EventRecord],
    finalized: int,
    max_events: int,
) -> Iterator[Batch]:
    """Batches covering [from_block, to_header.number], each at most `max_events` (a block is never split unless it
    alone is bigger); the last one ends on `to_header`, which it keeps as the window's anchor."""
    start, first = from_block, 0
    while len(records) - first > max_events:
        cut = first + max_events
        last_block = records[cut - 1].block_number
        while cut < len(records) and records[cut].block_number == last_block:
            cut += 1
        if cut >= len(records) or last_block >= to_header.number:
            break
        tip = records[cut - 1]
        yield Batch(chain_id, start, Checkpoint(tip.block_number, tip.block_hash, finalized), records[first:cut])
        start, first = tip.block_number + 1, cut
    yield Batch(chain_id, start, Checkpoint(to_header.number, to_header.hash, finalized), records[first:], (to_header,))
