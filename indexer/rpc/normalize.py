"""JSON-RPC answers (hex strings) -> the indexer's boundary types (RawLog, BlockHeader), validated. Pure.

Hashes, addresses and quantities are checked here, before they can reach COPY text or a SQL key: a value that is
not `0x` + 64 (hash) / 40 (address) hex digits, data that is not whole bytes, a negative or non-hex quantity raises
ValueError, which the client turns into a `bad_response` (retried, then failed over).
"""

from __future__ import annotations

import re
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


_TOPIC_LENGTH = {66}


def raw_log(obj: dict[str, Any]) -> RawLog:
    """One `eth_getLogs` entry; hex lowercased, quantities as int. Raises KeyError/ValueError/AttributeError on a
    pending log or a malformed field."""
    # The same rules as the regular expressions above, written for speed (this runs once per log of a backfill;
    # a regex per field doubled its cost): prefixes and lengths in Python, every hex digit at once in C.
    addr, block, tx = obj["address"].lower(), obj["blockHash"].lower(), obj["transactionHash"].lower()
    data = obj["data"].lower()
    topics = [t.lower() for t in obj["topics"]]
    number, index, position = obj["blockNumber"], obj["transactionIndex"], obj["logIndex"]
    # 'x' is no hex digit: every "0x" in the joined fields is a prefix, so one count checks them all (with the
    # lengths); fromhex checks every digit in C, and whitespace it would skip makes the bytes come out short.
    joined = "".join([addr, block, tx, data, *topics])
    digits = joined.replace("0x", "")
    if (
        len(addr) != 42
        or len(block) != 66
        or len(tx) != 66
        or not set(map(len, topics)) <= _TOPIC_LENGTH
        or joined.count("0x") != 4 + len(topics)
        or addr[1] != "x"
        or block[1] != "x"
        or tx[1] != "x"
        or data[1:2] != "x"
        or len(bytes.fromhex(digits)) * 2 != len(digits)
    ):
        raise ValueError("log entry with a malformed hash, address or data")
    quantities = number + index + position
    if quantities.count("0x") != 3 or not quantities.replace("0x", "").isalnum() or not quantities.isascii():
        raise ValueError("log entry with a malformed quantity")  # int(x, 16) alone takes "-0x1", " 0x1", "0x1_0"
    return RawLog(
        addr,
        tuple(topics),
        data,
        int(number, 16),
        block,
        tx,
        int(index, 16),
        int(position, 16),
        obj.get("removed") is True,
    )


def raw_logs(items: list[dict[str, Any]]) -> list[RawLog]:
    return unique_logs([raw_log(o) for o in items])


def unique_logs(logs: list[RawLog]) -> list[RawLog]:
    """The logs with exact repeats dropped (some nodes repeat an entry); two different logs claiming one
    (block hash, log index) make the whole answer unbelievable: ValueError."""
    if len({(lg.block_hash, lg.log_index) for lg in logs}) == len(logs):
        return logs  # the usual case, checked at set speed
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
