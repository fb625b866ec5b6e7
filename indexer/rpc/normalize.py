"""JSON-RPC answers (hex strings) -> the indexer's boundary types (RawLog, BlockHeader), validated. Pure.

Hashes, addresses and quantities are checked here, before they can reach COPY text or a SQL key: a value that is
not `0x` + 64 (hash) / 40 (address) hex digits, data that is not whole bytes, a negative or non-hex quantity raises
ValueError, which the client turns into a `bad_response` (retried, then failed over).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from indexer.types import BlockHeader, RawLog

_HASH = re.compile(r"0x[0-9a-f]{64}")
_ADDRESS = re.compile(r"0x[0-9a-f]{40}")
_DATA = re.compile(r"0x(?:[0-9a-f]{2})*")
_QUANTITY = re.compile(r"0x[0-9a-f]{1,64}")


def _checked(value: Any, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    lowered = value.lower()
    if not pattern.fullmatch(lowered):
        raise ValueError(f"{what} is malformed")  # the value itself is not echoed: it may be anything
    return lowered


def block_hash(value: Any) -> str:
    return _checked(value, _HASH, "hash")


def address(value: Any) -> str:
    return _checked(value, _ADDRESS, "address")


def quantity(value: Any) -> int:
    """A non-negative JSON-RPC quantity (`0x`-prefixed hex); `int(x, 16)` alone would take "-0x1" or "1_0"."""
    return int(_checked(value, _QUANTITY, "quantity"), 16)


def raw_log(obj: dict[str, Any]) -> RawLog:
    """One `eth_getLogs` entry; hex lowercased, quantities as int. Raises KeyError/ValueError on a pending log or a
    malformed field."""
    # Positional and list-built tuple: this runs once per log of a backfill, keyword calls cost ~30% more.
    return RawLog(
        address(obj["address"]),
        tuple([block_hash(t) for t in obj["topics"]]),
        _checked(obj["data"], _DATA, "data"),
        quantity(obj["blockNumber"]),
        block_hash(obj["blockHash"]),
        block_hash(obj["transactionHash"]),
        quantity(obj["transactionIndex"]),
        quantity(obj["logIndex"]),
        obj.get("removed") is True,
    )


def raw_logs(items: list[dict[str, Any]]) -> list[RawLog]:
    return unique_logs([raw_log(o) for o in items])


def unique_logs(logs: Iterable[RawLog]) -> list[RawLog]:
    """The logs with exact repeats dropped (some nodes repeat an entry); two different logs claiming one
    (block hash, log index) make the whole answer unbelievable: ValueError."""
    seen: dict[tuple[str, int], RawLog] = {}
    out: list[RawLog] = []
    for lg in logs:
        key = (lg.block_hash, lg.log_index)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = lg
            out.append(lg)
        elif earlier != lg:
            raise ValueError(f"two different logs at {lg.block_hash}:{lg.log_index}")
    return out


def block_header(obj: dict[str, Any]) -> BlockHeader:
    """An `eth_getBlockBy*` answer (without transactions) -> BlockHeader."""
    bloom = _checked(obj.get("logsBloom") or "0x", _DATA, "logsBloom")
    return BlockHeader(
        number=quantity(obj["number"]),
        hash=block_hash(obj["hash"]),
        parent_hash=block_hash(obj["parentHash"]),
        timestamp=quantity(obj["timestamp"]),
        logs_bloom=bytes.fromhex(bloom[2:]),
    )
