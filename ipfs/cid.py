"""CIDs as this project writes and reads them: parsing user input, and the CID kubo would give any bytes.

`compute_cid` is a pure function: same bytes, same CID as `ipfs add --cid-version 1 --raw-leaves` (≤256 KiB: a
single raw block; larger: a balanced dag-pb/UnixFS DAG). Multibase, multihash and CID encoding come from
`multiformats`.
"""

from __future__ import annotations

from collections.abc import Iterable

from multiformats import CID

from ipfs.errors import InvalidCid
from ipfs.importer import KUBO_CIDV1, DagBuilder, ImportProfile


def parse_cid(value: str | CID) -> CID:
    """A CID from user input (any multibase, v0 or v1); anything else raises InvalidCid."""
    if isinstance(value, CID):
        return value
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidCid(f"not a CID: {value!r}", cid=str(value))
    try:
        return CID.decode(value)
    except Exception as exc:  # multiformats raises KeyError/ValueError subclasses of several kinds
        reason = exc.args[0] if exc.args else type(exc).__name__
        raise InvalidCid(f"not a CID: {value!r}: {reason}", cid=value) from None


def canonical(cid: str | CID) -> str:
    """The string a CID is stored and compared under: CIDv1 in base32 (a CIDv0 becomes its v1 twin)."""
    parsed = parse_cid(cid)
    return str(parsed.set(base="base32", version=1))


def compute_cid(data: bytes | bytearray | memoryview, profile: ImportProfile = KUBO_CIDV1) -> str:
    builder = DagBuilder(profile)
    builder.write(data)
    return str(builder.finish())


def compute_cid_of_chunks(chunks: Iterable[bytes], profile: ImportProfile = KUBO_CIDV1) -> str:
    """The CID of the concatenation of `chunks`, without holding more than one chunk at a time."""
    builder = DagBuilder(profile)
    for chunk in chunks:
        builder.write(chunk)
    return str(builder.finish())
