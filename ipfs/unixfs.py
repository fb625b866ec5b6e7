"""UnixFS `Data` messages: what a dag-pb node's Data holds to say "this is (part of) a file of N bytes".

Only files are written; the reader also recognises the other types so it can refuse them clearly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from ipfs.protobuf import LEN, VARINT, WireError, bytes_field, decode_varint, iter_fields, varint_field


class DataType(IntEnum):
    RAW = 0
    DIRECTORY = 1
    FILE = 2
    METADATA = 3
    SYMLINK = 4
    HAMT_SHARD = 5


FILE_TYPES = frozenset({DataType.RAW, DataType.FILE})  # both carry file bytes (RAW: leaves of old importers)


@dataclass(frozen=True)
class UnixFSData:
    type: DataType
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: tuple[int, ...] = ()


def encode_file(data: bytes | None, filesize: int, blocksizes: Sequence[int] = ()) -> bytes:
    """A File node's Data as kubo writes it: Type, Data (leaves only), filesize (always, even 0), blocksizes."""
    out = varint_field(1, DataType.FILE)
    if data:
        out += bytes_field(2, data)
    out += varint_field(3, filesize)
    # proto2 `repeated uint64` without [packed=true]: one key per value, which is what kubo emits.
    out += b"".join(varint_field(4, size) for size in blocksizes)
    return out


def decode(buf: bytes) -> UnixFSData:
    type_: int | None = None
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: list[int] = []
    for number, wire_type, value in iter_fields(buf):
        if number == 1 and wire_type == VARINT:
            type_ = value  # type: ignore[assignment]
        elif number == 2 and wire_type == LEN:
            data = value  # type: ignore[assignment]
        elif number == 3 and wire_type == VARINT:
            filesize = value  # type: ignore[assignment]
        elif number == 4 and wire_type == VARINT:
            blocksizes.append(value)  # type: ignore[arg-type]
        elif number == 4 and wire_type == LEN:  # tolerate a packed encoding from other writers
            pos = 0
            while pos < len(value):  # type: ignore[arg-type]
                size, pos = decode_varint(value, pos)  # type: ignore[arg-type]
                blocksizes.append(size)
        elif number in (5, 6, 7, 8):
            continue  # hashType, fanout, mode, mtime: no bearing on a file's bytes
        else:
            raise WireError(f"unexpected UnixFS Data field {number}")
    if type_ is None:
        raise WireError("UnixFS Data without Type")
    try:
        kind = DataType(type_)
    except ValueError as exc:
        raise WireError(f"unknown UnixFS type {type_}") from exc
    return UnixFSData(kind, data, filesize, tuple(blocksizes))
