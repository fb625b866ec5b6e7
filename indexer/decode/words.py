"""Reading ABI-encoded values straight out of 0x-hex strings (a log's topics and data). Pure and strict.

Slicing hex text avoids bytes conversions and generic ABI machinery: several times faster than eth_abi on the
types our events use. `hex_pos` arguments index into the data string, which starts with "0x".
"""

from __future__ import annotations

_ZERO_PAD = "0" * 24
_FALSE = "0" * 64
_TRUE = "0" * 63 + "1"


class DecodeError(ValueError):
    """A log carries one of our event signatures but not its shape (topic count, data length, padding, offsets)."""


def word_address(word: str) -> str:
    """64 hex chars -> 0x address; the 12 padding bytes must be zero (else it is not an address)."""
    if word[:24] != _ZERO_PAD:
        raise DecodeError(f"address word has non-zero padding: {word}")
    return "0x" + word[24:]


def word_bool(word: str) -> bool:
    if word == _FALSE:
        return False
    if word == _TRUE:
        return True
    raise DecodeError(f"bool word is neither 0 nor 1: {word}")


def word_bytes32(word: str) -> str:
    if len(word) != 64:
        raise DecodeError(f"bytes32 word of {len(word)} hex chars")
    return "0x" + word


def word_uint(word: str) -> int:
    if len(word) != 64:
        raise DecodeError(f"uint256 word of {len(word)} hex chars")
    return int(word, 16)


def _tail_start(data: str, head_index: int) -> tuple[int, int]:
    """Follow the offset in head word `head_index` to a dynamic value: (hex position of its body, its length)."""
    p = 2 + 64 * head_index
    offset = int(data[p : p + 64], 16)
    if offset % 32:
        raise DecodeError(f"dynamic offset {offset} is not word-aligned")
    at = 2 + 2 * offset
    if at + 64 > len(data):
        raise DecodeError(f"dynamic offset {offset} points past the data")
    return at + 64, int(data[at : at + 64], 16)


def dyn_uint_array(data: str, head_index: int) -> tuple[int, ...]:
    start, count = _tail_start(data, head_index)
    end = start + 64 * count
    if end > len(data):
        raise DecodeError(f"uint256[] of {count} items runs past the data")
    return tuple([int(data[p : p + 64], 16) for p in range(start, end, 64)])


def dyn_string(data: str, head_index: int) -> tuple[str, str | None]:
    """(text, None) for a clean UTF-8 string; (text with U+FFFD for each invalid sequence or NUL, the exact bytes
    as 0x-hex) otherwise. Lenient on purpose: the contract accepts any bytes, and a string PostgreSQL text cannot
    hold must not stop the mirror (it would fail the same batch on every restart)."""
    start, size = _tail_start(data, head_index)
    end = start + 2 * size
    if end > len(data):
        raise DecodeError(f"string of {size} bytes runs past the data")
    body = data[start:end]
    try:
        raw = bytes.fromhex(body)
    except ValueError as exc:
        raise DecodeError(f"string is not hex: {exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd"), "0x" + body.lower()
    if "\x00" in text:
        return text.replace("\x00", "\ufffd"), "0x" + body.lower()
    return text, None
