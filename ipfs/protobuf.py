"""The few protobuf wire-format pieces dag-pb and UnixFS need: varints, length-delimited fields, a field reader.

Hand-written because the two messages are tiny and a CID depends on every byte: field order and presence
are decided by the callers (dagpb.py, unixfs.py), exactly as kubo writes them, not by a generated encoder.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT = 0
LEN = 2

_MAX_VARINT_BYTES = 10  # a uint64 never needs more


class WireError(ValueError):
    """Bytes that are not a well-formed protobuf message."""


def encode_varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("protobuf varints here are unsigned")
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def varint_field(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | LEN) + encode_varint(len(value)) + value


def decode_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The varint at `pos` and the position after it."""
    result = shift = 0
    for i in range(_MAX_VARINT_BYTES):
        if pos + i >= len(buf):
            raise WireError("truncated varint")
        byte = buf[pos + i]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos + i + 1
        shift += 7
    raise WireError("varint longer than 10 bytes")


def iter_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) in order; only the varint and length-delimited types exist here."""
    pos = 0
    while pos < len(buf):
        key, pos = decode_varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        if wire_type == VARINT:
            value, pos = decode_varint(buf, pos)
            yield number, wire_type, value
        elif wire_type == LEN:
            length, pos = decode_varint(buf, pos)
            if pos + length > len(buf):
                raise WireError("length-delimited field runs past the end")
            yield number, wire_type, bytes(buf[pos : pos + length])
            pos += length
        else:
            raise WireError(f"unsupported wire type {wire_type}")
