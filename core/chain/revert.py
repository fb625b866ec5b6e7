"""Revert data to one readable line, `ProjectAlreadyExists(4)`, decoded against the ABIs of all our contracts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from core.chain.abis import DISTRIBUTOR, OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi

# Solidity's built-in reverts: `require(cond, "text")` / `revert("text")` and compiler-inserted panics.
_BUILTIN_ERRORS: list[dict[str, Any]] = [
    {"type": "error", "name": "Error", "inputs": [{"name": "message", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
]

ErrorTable = Mapping[bytes, tuple[str, list[str]]]


def _canonical_type(item: dict[str, Any]) -> str:
    """The ABI type as it appears in a signature (tuples spelled out, array suffixes kept)."""
    kind: str = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical_type(c) for c in item["components"]) + ")" + kind.removeprefix("tuple")
    return kind


def error_table(abis: Iterable[list[dict[str, Any]]]) -> dict[bytes, tuple[str, list[str]]]:
    """Selector -> (error name, argument types) for every custom error in `abis`, plus Error(string) and Panic."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    for abi in [*abis, _BUILTIN_ERRORS]:
        for item in abi:
            if item.get("type") != "error":
                continue
            types = [_canonical_type(i) for i in item["inputs"]]
            table[function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")] = (item["name"], types)
    return table


@cache
def our_errors() -> ErrorTable:
    """Every error our contracts can revert with (OpenZeppelin's included: they are in the compiled ABIs)."""
    return error_table(load_abi(name) for name in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, DISTRIBUTOR))


def _hex_bytes(data: bytes | str) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    text = data.removeprefix("0x")
    return bytes.fromhex(text)


def _show(value: Any, kind: str) -> str:
    if kind == "address":
        return to_checksum_address(value)
    if kind == "string":
        return json.dumps(value)  # quoted, with NUL and non-printable characters escaped
    if kind.endswith("]") and isinstance(value, (list, tuple)):
        inner = kind[: kind.rindex("[")]
        return "[" + ", ".join(_show(v, inner) for v in value) + "]"
    if kind.startswith("(") and isinstance(value, (list, tuple)):
        parts = _split_tuple(kind[1 : kind.rindex(")")])
        return "(" + ", ".join(_show(v, t) for v, t in zip(value, parts, strict=True)) + ")"
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _split_tuple(inner: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p for p in parts if p]


def _decode_args(types: list[str], payload: bytes) -> list[Any]:
    try:
        return list(decode(types, payload))
    except UnicodeDecodeError:
        # A string argument holding bytes that are not UTF-8 (the encoding is the same as `bytes`): show them raw.
        return list(decode(["bytes" if t == "string" else t for t in types], payload))


def describe_revert(data: bytes | str | None, errors: ErrorTable | None = None) -> str:
    """`Name(arg, …)` for revert data; what is known of it when the data matches no error of ours."""
    raw = _hex_bytes(data) if data else b""
    if not raw:
        return "reverted without a reason"
    if len(raw) < 4:
        return f"reverted with malformed data 0x{raw.hex()}"
    table = our_errors() if errors is None else errors
    known = table.get(raw[:4])
    if known is None:
        return f"reverted with unknown error 0x{raw[:4].hex()} (data 0x{raw.hex()})"
    name, types = known
    try:
        values = _decode_args(types, raw[4:])
    except (DecodingError, ValueError):
        return f"{name}(…) with undecodable arguments (data 0x{raw.hex()})"
    shown = [
        _show(v, "bytes" if isinstance(v, bytes) and t == "string" else t) for v, t in zip(values, types, strict=True)
    ]
    if name == "Error" and len(shown) == 1:
        return f"reverted: {values[0]}" if isinstance(values[0], str) else f"reverted: {shown[0]}"
    return f"{name}({', '.join(shown)})"


def revert_data_of(exc: BaseException) -> str | None:
    """The revert data web3 attached to a ContractLogicError (a hex string, or a node's `{"data": …}` object)."""
    data = getattr(exc, "data", None)
    if isinstance(data, Mapping):
        data = data.get("data")
    if isinstance(data, (bytes, bytearray)):
        return "0x" + bytes(data).hex()
    if isinstance(data, str) and data.startswith("0x"):
        return data
    return None
