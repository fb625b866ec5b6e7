"""Block-level content addressing: a block's identity from its bytes, and the check that bytes match it.

Per-block work uses `BlockId` (version, codec, multihash) rather than multiformats' `CID` objects: building a
`CID` costs ~0.2 ms and, through the runtime type checks inside multiformats, leaves reference cycles that keep
the caller's frames — and the 256 KiB chunks in them — alive until the cyclic GC runs. The byte prefixes are
taken from multiformats once at import; `BlockId.cid()` gives the real `CID` where one is shown or parsed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from multiformats import CID, multihash

from ipfs.errors import IntegrityError, UnsupportedContent

RAW = "raw"
DAG_PB = "dag-pb"
SHA2_256 = "sha2-256"

SUPPORTED_CODECS = frozenset({RAW, DAG_PB})

_SHA2_256 = multihash.get(SHA2_256)
_SAMPLE_MULTIHASH = _SHA2_256.wrap(bytes(32))
_SHA2_256_HEADER = _SAMPLE_MULTIHASH[:-32]  # function code and digest length
_MULTIHASH_LENGTH = len(_SAMPLE_MULTIHASH)


def _base(version: int) -> str:
    # CIDv0 is only ever written in base58btc; CIDv1 in base32, as kubo prints it.
    return "base58btc" if version == 0 else "base32"


def _prefix(version: int, codec: str) -> bytes:
    """What a binary CID holds before its multihash (version and codec varints), as multiformats writes it."""
    return bytes(CID(_base(version), version, codec, _SAMPLE_MULTIHASH))[:-_MULTIHASH_LENGTH]


_PREFIXES = {(1, RAW): _prefix(1, RAW), (1, DAG_PB): _prefix(1, DAG_PB), (0, DAG_PB): _prefix(0, DAG_PB)}
_BY_PREFIX = {prefix: kind for kind, prefix in _PREFIXES.items() if prefix}


@dataclass(frozen=True, slots=True)
class BlockId:
    """A supported block's CID, cheap to make and compare: CIDv0/v1, raw or dag-pb, sha2-256."""

    version: int
    codec: str
    multihash: bytes

    @property
    def binary(self) -> bytes:
        """The binary CID, as dag-pb links hold it."""
        return _PREFIXES[(self.version, self.codec)] + self.multihash

    @property
    def key(self) -> str:
        """Where stores file the block: by multihash, so a CIDv0 and its CIDv1 twin name the same bytes."""
        return self.multihash.hex()

    def cid(self) -> CID:
        return CID(_base(self.version), self.version, self.codec, self.multihash)

    def __str__(self) -> str:
        return str(self.cid())

    @classmethod
    def of(cls, cid: CID) -> BlockId:
        """The BlockId of a parsed CID; UnsupportedContent for codecs and hashes this store does not verify."""
        if cid.codec.name not in SUPPORTED_CODECS:
            raise UnsupportedContent(
                f"CID {cid} has codec {cid.codec.name}; only raw and dag-pb (UnixFS files) are served", cid=str(cid)
            )
        if cid.hashfun.name != SHA2_256:
            raise UnsupportedContent(f"CID {cid} uses {cid.hashfun.name}; only sha2-256 is verified", cid=str(cid))
        return cls(cid.version, cid.codec.name, bytes(cid.digest))

    @classmethod
    def from_binary(cls, data: bytes) -> BlockId:
        """A link's binary CID; the usual shapes without building a CID, anything else through multiformats."""
        if len(data) == _MULTIHASH_LENGTH and data.startswith(_SHA2_256_HEADER):
            return cls(0, DAG_PB, data)
        kind = _BY_PREFIX.get(data[:-_MULTIHASH_LENGTH])
        if kind is not None and data[-_MULTIHASH_LENGTH:].startswith(_SHA2_256_HEADER):
            return cls(kind[0], kind[1], data[-_MULTIHASH_LENGTH:])
        return cls.of(CID.decode(data))


def block_id(block: bytes, codec: str, version: int) -> BlockId:
    return BlockId(version, codec, _SHA2_256.wrap(hashlib.sha256(block).digest()))


def block_cid(block: bytes, codec: str, version: int) -> CID:
    return block_id(block, codec, version).cid()


def verify_block(expected: BlockId, block: bytes) -> None:
    """Raise unless `block` is exactly the bytes `expected` names; callers never see bytes that fail this."""
    if hashlib.sha256(block).digest() != expected.multihash[len(_SHA2_256_HEADER) :]:
        raise IntegrityError(f"block for {expected} does not match its hash", cid=str(expected))
