"""A decoded event as the store keeps it: position, block time, emitting contract, name and plain args. Pure.

The same shape comes back out of `chain_events` when a reorg undoes blocks, so the fold (fold.py) reads one form
going forward and backward. In JSON (the `args` column), integers are decimal strings: uint256 exceeds what most
JSON readers hold exactly.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, NamedTuple

from indexer.decode import DecodedEvent
from indexer.types import RawLog


class EventRecord(NamedTuple):  # a tuple: a backfill builds a million of them
    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str
    tx_index: int
    block_time: datetime
    contract: str
    name: str
    # The event's own fields as attributes: the decoded event itself going forward, a namespace over the stored
    # JSON when undoing (uint256 then arrive as decimal strings: readers apply int()).
    args: Any


def record_of(log: RawLog, event: DecodedEvent, block_time: datetime) -> EventRecord:
    return EventRecord(
        log.block_number,
        log.block_hash,
        log.log_index,
        log.transaction_hash,
        log.transaction_index,
        block_time,
        log.address,
        type(event).__name__,
        event,
    )


def stored_args(args: dict[str, Any]) -> SimpleNamespace:
    """The `args` JSON of a stored event, readable like a decoded one."""
    return SimpleNamespace(**args)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def arg_names(args: Any) -> tuple[str, ...]:
    kind = type(args)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if kind is SimpleNamespace:
            return tuple(vars(args))
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _json_value(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return f'"{value}"'
    if kind is str:
        # Hex and CIDs are alphanumeric: nothing to escape. json.dumps for anything else.
        return f'"{value}"' if value.isalnum() else json.dumps(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is tuple or kind is list:
        return "[" + ",".join([_json_value(v) for v in value]) + "]"
    return json.dumps(value)


def args_json(args: Any) -> str:
    """The JSONB text of an event's fields; what json.dumps would give with ints as decimal strings, faster. Fields
    that are None (a string's `_raw` bytes when it was clean text) are left out."""
    return (
        "{"
        + ",".join([f'"{k}":{_json_value(v)}' for k in arg_names(args) if (v := getattr(args, k)) is not None])
        + "}"
    )
