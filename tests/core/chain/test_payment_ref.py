"""Payment references: one derivation for every service."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3

from core.chain.payment_ref import investment_payment_ref, payment_ref, ref_hex


def test_a_reference_is_keccak256_of_its_text() -> None:
    assert payment_ref("demo-investment-0") == bytes(Web3.keccak(text="demo-investment-0"))


def test_an_investment_reference_is_derived_from_the_canonical_uuid() -> None:
    investment = UUID("6F9619FF-8B86-D011-B42D-00C04FC964FF")
    expected = Web3.keccak(text="terra-lumina:investment:6f9619ff-8b86-d011-b42d-00c04fc964ff")
    assert investment_payment_ref(investment) == bytes(expected)
    assert investment_payment_ref(UUID("{6f9619ff-8b86-d011-b42d-00c04fc964ff}")) == bytes(expected)


@given(st.uuids(), st.uuids())
def test_different_investments_get_different_references(a: UUID, b: UUID) -> None:
    assert (investment_payment_ref(a) == investment_payment_ref(b)) == (a == b)


def test_an_investment_reference_never_equals_the_plain_reference_of_its_uuid_text() -> None:
    investment = UUID(int=7)
    assert investment_payment_ref(investment) != payment_ref(str(investment))


def test_ref_hex_is_the_mirrors_spelling_and_checks_the_length() -> None:
    assert ref_hex(b"\xab" * 32) == "0x" + "ab" * 32
    with pytest.raises(ValueError):
        ref_hex(b"\x00" * 31)
