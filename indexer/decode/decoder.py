"""RawLog -> typed event by topic0, with one decoder per event generated once from the committed ABIs.

Each decoder is straight-line code specialized for its event (topic count, data size, field converters): no
per-log interpretation of the ABI, which keeps backfills decoder-bound at ~10^5 events/s rather than ~10^4.
Types without a hand-written reader fall back to eth_abi.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.crypto import keccak

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, load_abi
from indexer.decode import words
from indexer.decode.events import EVENT_TYPES, DecodedEvent
from indexer.decode.words import DecodeError
from indexer.types import RawLog

CONTRACTS = (OWNERSHIP, PAYMENT_ROUTER, DISTRIBUTOR)

Decoder = Callable[[RawLog], DecodedEvent]

_WORD_READER = {"uint256": "word_uint", "address": "word_address", "bool": "word_bool", "bytes32": "word_bytes32"}
_DYN_READER = {"uint256[]": "dyn_uint_array", "string": "dyn_string"}


def _signature(event_abi: dict[str, Any]) -> str:
    return f"{event_abi['name']}({','.join(i['type'] for i in event_abi['inputs'])})"


def topic0_of(event_abi: dict[str, Any]) -> str:
    return "0x" + keccak(text=_signature(event_abi)).hex()


def _abi_fallback(types: list[str], data: str) -> list[Any]:
    """eth_abi for types we have no reader for, converted to our conventions."""
    try:
        raw = abi_decode(types, bytes.fromhex(data[2:]))
    except Exception as exc:  # eth_abi raises several unrelated types; one meaning for us
        raise DecodeError(f"data does not decode as {types}: {exc}") from exc
    return [_from_abi(t, v) for t, v in zip(types, raw, strict=True)]


def _from_abi(abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        return value.lower()
    if abi_type.startswith("bytes") and isinstance(value, bytes):
        return "0x" + value.hex()
    if abi_type.endswith("[]"):
        return tuple(_from_abi(abi_type[:-2], v) for v in value)
    return value


def decoder_source(event_abi: dict[str, Any]) -> str:
    """Python source of one event's decoder (kept inspectable: print it when in doubt)."""
    inputs = event_abi["inputs"]
    indexed = [i for i in inputs if i["indexed"]]
    data_types = [i["type"] for i in inputs if not i["indexed"]]
    if any(i["type"] not in _WORD_READER for i in indexed):
        raise TypeError(f"{event_abi['name']}: only static indexed inputs are supported")
    n_topics = 1 + len(indexed)
    name = event_abi["name"]
    dynamic = any(t not in _WORD_READER for t in data_types)
    known = all(t in _WORD_READER or t in _DYN_READER for t in data_types)

    data_exprs: list[str] = []
    raw_exprs: list[str] = []  # one per string input: its exact bytes when not clean text (the `_raw` field)
    prelude: list[str] = []
    for k, t in enumerate(data_types):
        if not known:
            data_exprs.append(f"v[{k}]")
        elif t == "uint256":  # the size check above already guarantees a whole word
            data_exprs.append(f"int(d[{2 + 64 * k}:{66 + 64 * k}], 16)")
        elif t in _WORD_READER:
            data_exprs.append(f"{_WORD_READER[t]}(d[{2 + 64 * k}:{66 + 64 * k}])")
        elif t == "string":
            prelude.append(f"        s{k} = dyn_string(d, {k})")
            data_exprs.append(f"s{k}[0]")
            raw_exprs.append(f"s{k}[1]")
        else:
            data_exprs.append(f"{_DYN_READER[t]}(d, {k})")
    args: list[str] = []
    t_i = d_i = 0
    for i in inputs:
        if i["indexed"]:
            t_i += 1
            args.append(f"{_WORD_READER[i['type']]}(t[{t_i}][2:])")
        else:
            args.append(data_exprs[d_i])
            d_i += 1
    args += raw_exprs

    if dynamic:  # a head word per input at least; exact size is checked by the readers' bounds
        size_check = f"if len(d) < {2 + 64 * len(data_types)} or len(d) % 64 != 2:"
    else:
        size_check = f"if len(d) != {2 + 64 * len(data_types)}:"
    lines = [
        "def decode(log):",
        "    t = log.topics",
        f"    if len(t) != {n_topics}:",
        f"        raise DecodeError(f'{name} expects {n_topics} topics, got {{len(t)}} at {{_where(log)}}')",
        "    d = log.data",
        f"    {size_check}",
        f"        raise DecodeError(f'{name}: {{len(d) - 2}} hex chars of data at {{_where(log)}}')",
    ]
    if not known:
        lines.append(f"    v = _abi_fallback({data_types!r}, d)")
    lines += [
        "    try:",
        *prelude,
        f"        return cls({', '.join(args)})",
        "    except DecodeError as exc:",
        f"        raise DecodeError(f'{name} at {{_where(log)}}: {{exc}}') from None",
    ]
    return "\n".join(lines) + "\n"


def _build_decoder(event_abi: dict[str, Any]) -> Decoder:
    cls = EVENT_TYPES[event_abi["name"]]
    strings = sum(1 for i in event_abi["inputs"] if i["type"] == "string" and not i["indexed"])
    names = [f.name for f in fields(cls)]
    if len(names) != len(event_abi["inputs"]) + strings or not all(
        n.endswith("_raw") for n in names[len(names) - strings :]
    ):
        raise TypeError(
            f"{cls.__name__} has fields {names}: the ABI event has {len(event_abi['inputs'])} inputs, {strings} strings"
        )
    namespace: dict[str, Any] = {
        "cls": cls,
        "DecodeError": DecodeError,
        "_where": _where,
        "_abi_fallback": _abi_fallback,
        **{name: getattr(words, name) for name in (*_WORD_READER.values(), *_DYN_READER.values())},
    }
    exec(decoder_source(event_abi), namespace)  # noqa: S102 - source built above from the committed ABI only
    return namespace["decode"]  # type: ignore[no-any-return]


def _where(log: RawLog) -> str:
    return f"block {log.block_number} log {log.log_index} tx {log.transaction_hash}"


def _build_table() -> dict[str, Decoder]:
    table: dict[str, Decoder] = {}
    for contract in CONTRACTS:
        for item in load_abi(contract):
            if item["type"] == "event" and not item.get("anonymous", False):
                # Same signature on several contracts (Paused, Role*) -> same topic0, one decoder.
                table.setdefault(topic0_of(item), _build_decoder(item))
    return table


DECODERS: dict[str, Decoder] = _build_table()


def decode_log(log: RawLog) -> DecodedEvent | None:
    """The typed event, or None when topic0 is not one of our events (or the log has no topics)."""
    if not log.topics:
        return None
    decoder = DECODERS.get(log.topics[0])
    return decoder(log) if decoder is not None else None


def decode_logs(logs: Iterable[RawLog]) -> list[DecodedEvent]:
    """Decode in order, dropping logs that are not our events; raises DecodeError on a malformed one of ours."""
    table = DECODERS
    out: list[DecodedEvent] = []
    for log in logs:
        if log.topics and (decoder := table.get(log.topics[0])) is not None:
            out.append(decoder(log))
    return out
