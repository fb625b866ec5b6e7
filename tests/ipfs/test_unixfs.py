"""UnixFS Data messages for files: what kubo writes for leaves and for the nodes above them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfs.protobuf import WireError, bytes_field, varint_field
from ipfs.unixfs import DataType, UnixFSData, decode, encode_file


def test_leaf_holds_type_data_and_filesize() -> None:
    assert encode_file(b"hi", 2).hex() == "0802" + "12026869" + "1802"


def test_internal_node_has_no_data_and_one_key_per_blocksize() -> None:
    assert encode_file(None, 300, [200, 100]).hex() == "0802" + "18ac02" + "20c801" + "2064"


@given(st.one_of(st.none(), st.binary(min_size=1, max_size=100)), st.lists(st.integers(0, 2**40), max_size=5))
def test_file_data_round_trips(data: bytes | None, blocksizes: list[int]) -> None:
    filesize = len(data or b"") + sum(blocksizes)

    assert decode(encode_file(data, filesize, blocksizes)) == UnixFSData(
        DataType.FILE, data, filesize, tuple(blocksizes)
    )


def test_packed_blocksizes_from_other_writers_are_read() -> None:
    packed = varint_field(1, DataType.FILE) + varint_field(3, 3) + bytes_field(4, bytes([1, 2]))

    assert decode(packed).blocksizes == (1, 2)


@pytest.mark.parametrize(
    "buf", [varint_field(3, 1), varint_field(1, 9), varint_field(9, 1)], ids=["no-type", "bad-type", "unknown-field"]
)
def test_malformed_data_raises(buf: bytes) -> None:
    with pytest.raises(WireError):
        decode(buf)
