"""The protobuf wire format pieces: varints and fields, written and read back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfs.protobuf import (
    LEN,
    VARINT,
    WireError,
    bytes_field,
    decode_varint,
    encode_varint,
    iter_fields,
    varint_field,
)


@pytest.mark.parametrize(("value", "encoded"), [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02")])
def test_varints_match_the_protobuf_spec(value: int, encoded: str) -> None:
    assert encode_varint(value).hex() == encoded


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varint_round_trips(value: int) -> None:
    encoded = encode_varint(value)

    assert decode_varint(encoded, 0) == (value, len(encoded))


@given(st.lists(st.tuples(st.integers(1, 100), st.one_of(st.integers(0, 2**64 - 1), st.binary(max_size=300)))))
def test_fields_round_trip_in_order(fields: list[tuple[int, int | bytes]]) -> None:
    buf = b"".join(varint_field(n, v) if isinstance(v, int) else bytes_field(n, v) for n, v in fields)

    decoded = [(n, v) for n, _, v in iter_fields(buf)]

    assert decoded == fields
    assert [t for _, t, _ in iter_fields(buf)] == [VARINT if isinstance(v, int) else LEN for _, v in fields]


@pytest.mark.parametrize(
    "buf", ["80", "0a05abcd", "0d00000000", "00"], ids=["truncated-varint", "short-bytes", "fixed32", "field-0"]
)
def test_malformed_messages_raise_wire_error(buf: str) -> None:
    with pytest.raises(WireError):
        list(iter_fields(bytes.fromhex(buf)))


def test_negative_varint_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_varint(-1)
