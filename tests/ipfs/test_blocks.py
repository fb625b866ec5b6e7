"""BlockId: the cheap per-block CID must agree with multiformats' CID in every direction."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multiformats import CID, multihash

from ipfs.blocks import DAG_PB, RAW, BlockId, block_cid, block_id, verify_block
from ipfs.errors import IntegrityError, UnsupportedContent

KINDS = [(1, RAW), (1, DAG_PB), (0, DAG_PB)]


@given(block=st.binary(max_size=200), kind=st.sampled_from(KINDS))
def test_block_id_agrees_with_multiformats(block: bytes, kind: tuple[int, str]) -> None:
    version, codec = kind
    expected = CID("base32" if version else "base58btc", version, codec, multihash.digest(block, "sha2-256"))

    ident = block_id(block, codec, version)

    assert ident.cid() == expected
    assert str(ident) == str(expected)
    assert ident.binary == bytes(expected)
    assert BlockId.from_binary(bytes(expected)) == ident == BlockId.of(expected)


def test_a_link_to_another_codec_or_hash_is_unsupported() -> None:
    cbor = CID("base32", 1, "dag-cbor", multihash.digest(b"x", "sha2-256"))
    sha512 = CID("base32", 1, "raw", multihash.digest(b"x", "sha2-512"))

    for cid in (cbor, sha512):
        with pytest.raises(UnsupportedContent):
            BlockId.from_binary(bytes(cid))


def test_verify_block_accepts_the_bytes_and_nothing_else() -> None:
    ident = block_id(b"abc", RAW, 1)

    verify_block(ident, b"abc")
    with pytest.raises(IntegrityError):
        verify_block(ident, b"abd")


def test_block_cid_is_sha2_256_of_the_bytes() -> None:
    assert block_cid(b"abc", RAW, 1).raw_digest == hashlib.sha256(b"abc").digest()
