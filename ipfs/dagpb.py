"""dag-pb nodes (PBNode/PBLink), the Merkle-DAG format UnixFS files are built from.

Byte layout follows the dag-pb spec and kubo: a node's Links (field 2) come before its Data (field 1), a
link's fields are Hash, Name, Tsize in that order, and kubo writes file links with an empty Name present.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfs.protobuf import LEN, VARINT, WireError, bytes_field, iter_fields, varint_field


@dataclass(frozen=True)
class PBLink:
    hash: bytes  # the binary CID of the child
    name: str | None = ""
    tsize: int | None = None  # bytes of the whole child DAG: its node plus everything below it


@dataclass(frozen=True)
class PBNode:
    links: tuple[PBLink, ...] = ()
    data: bytes | None = None


def encode_link(link: PBLink) -> bytes:
    out = bytes_field(1, link.hash)
    if link.name is not None:
        out += bytes_field(2, link.name.encode("utf-8"))
    if link.tsize is not None:
        out += varint_field(3, link.tsize)
    return out


def encode_node(node: PBNode) -> bytes:
    parts = [bytes_field(2, encode_link(link)) for link in node.links]
    if node.data is not None:
        parts.append(bytes_field(1, node.data))
    return b"".join(parts)


def decode_link(buf: bytes) -> PBLink:
    hash_: bytes | None = None
    name: str | None = None
    tsize: int | None = None
    for number, wire_type, value in iter_fields(buf):
        if number == 1 and wire_type == LEN:
            hash_ = value  # type: ignore[assignment]
        elif number == 2 and wire_type == LEN:
            try:
                name = value.decode("utf-8")  # type: ignore[union-attr]
            except UnicodeDecodeError as exc:
                raise WireError("link name is not UTF-8") from exc
        elif number == 3 and wire_type == VARINT:
            tsize = value  # type: ignore[assignment]
        else:
            raise WireError(f"unexpected PBLink field {number}")
    if hash_ is None:
        raise WireError("PBLink without Hash")
    return PBLink(hash_, name, tsize)


def decode_node(buf: bytes) -> PBNode:
    links: list[PBLink] = []
    data: bytes | None = None
    for number, wire_type, value in iter_fields(buf):
        if number == 2 and wire_type == LEN:
            links.append(decode_link(value))  # type: ignore[arg-type]
        elif number == 1 and wire_type == LEN:
            data = value  # type: ignore[assignment]
        else:
            raise WireError(f"unexpected PBNode field {number}")
    return PBNode(tuple(links), data)
