"""describe_revert: revert data to `Name(args)` against our ABIs, pure (no chain)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi
from core.chain.revert import describe_revert, error_table, our_errors, revert_data_of

PAYER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
ROLE = Web3.keccak(text="PROJECT_ADMIN_ROLE")


def revert(signature: str, types: list[str], args: list[Any]) -> str:
    return "0x" + (Web3.keccak(text=signature)[:4] + encode(types, args)).hex()


def test_an_ownership_error_reads_with_its_argument() -> None:
    assert describe_revert(revert("ProjectAlreadyExists(uint256)", ["uint256"], [4])) == "ProjectAlreadyExists(4)"


def test_the_routers_reference_error_shows_payer_and_reference_in_hex() -> None:
    ref = Web3.keccak(text="order-1")
    data = revert("PaymentRefAlreadyUsed(address,bytes32)", ["address", "bytes32"], [PAYER, ref])
    assert describe_revert(data) == f"PaymentRefAlreadyUsed({PAYER}, 0x{ref.hex()})"


def test_openzeppelins_access_control_error_is_known_with_a_checksummed_account() -> None:
    data = revert("AccessControlUnauthorizedAccount(address,bytes32)", ["address", "bytes32"], [PAYER.lower(), ROLE])
    assert describe_revert(data) == f"AccessControlUnauthorizedAccount({PAYER}, 0x{ROLE.hex()})"


def test_the_tokens_errors_are_known_too() -> None:
    data = revert(
        "ERC20InsufficientAllowance(address,uint256,uint256)", ["address", "uint256", "uint256"], [PAYER, 0, 10**7]
    )
    assert describe_revert(data) == f"ERC20InsufficientAllowance({PAYER}, 0, 10000000)"


def test_an_error_without_arguments_has_empty_parentheses() -> None:
    assert describe_revert(revert("EnforcedPause()", [], [])) == "EnforcedPause()"


def test_a_string_argument_is_quoted_with_nul_and_non_ascii_escaped() -> None:
    data = revert("InvalidMetadataCid(string)", ["string"], ["baf\x00é"])
    assert describe_revert(data) == 'InvalidMetadataCid("baf\\u0000\\u00e9")'


def test_a_string_argument_that_is_not_utf8_is_shown_as_bytes() -> None:
    data = revert("InvalidMetadataCid(string)", ["bytes"], [b"\xff\xfe"])
    assert describe_revert(data) == "InvalidMetadataCid(0xfffe)"


def test_require_messages_and_panics_are_decoded() -> None:
    assert (
        describe_revert(revert("Error(string)", ["string"], ["ERC20: insufficient"])) == "reverted: ERC20: insufficient"
    )
    assert describe_revert(revert("Panic(uint256)", ["uint256"], [0x11])) == "Panic(17)"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, "reverted without a reason"),
        ("0x", "reverted without a reason"),
        (b"", "reverted without a reason"),
        ("0xabcd", "reverted with malformed data 0xabcd"),
        ("0xdeadbeef00", "reverted with unknown error 0xdeadbeef (data 0xdeadbeef00)"),
    ],
)
def test_data_that_names_no_error_of_ours_says_what_it_is(data: str | bytes | None, expected: str) -> None:
    assert describe_revert(data) == expected


def test_arguments_that_do_not_decode_are_reported_not_raised() -> None:
    selector = Web3.keccak(text="ProjectAlreadyExists(uint256)")[:4]
    assert describe_revert("0x" + selector.hex() + "01").startswith("ProjectAlreadyExists(…) with undecodable")


def test_every_error_of_every_contract_is_in_the_table_by_its_selector() -> None:
    table = our_errors()
    for name in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN):
        for item in load_abi(name):
            if item["type"] == "error":
                signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
                assert table[Web3.keccak(text=signature)[:4]][0] == item["name"]


def test_tuple_arguments_are_spelled_out_in_the_selector_and_the_text() -> None:
    abi = [
        {
            "type": "error",
            "name": "Bad",
            "inputs": [
                {"name": "p", "type": "tuple", "components": [{"type": "uint256"}, {"type": "address"}]},
                {"name": "ids", "type": "uint256[]"},
            ],
        }
    ]
    data = revert("Bad((uint256,address),uint256[])", ["(uint256,address)", "uint256[]"], [(7, PAYER), [1, 2]])
    assert describe_revert(data, error_table([abi])) == f"Bad((7, {PAYER}), [1, 2])"


@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=2**256 - 1))
def test_any_supply_cap_error_round_trips(cap: int, requested: int) -> None:
    data = revert("SupplyCapExceeded(uint256,uint256,uint256)", ["uint256"] * 3, [7, cap, requested])
    assert describe_revert(data) == f"SupplyCapExceeded(7, {cap}, {requested})"


class _Raised(Exception):
    def __init__(self, data: object) -> None:
        self.data = data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("0x12345678", "0x12345678"),
        ({"data": "0xabcdef01"}, "0xabcdef01"),
        (b"\x01\x02", "0x0102"),
        ("execution reverted", None),
        (None, None),
    ],
)
def test_revert_data_is_taken_from_what_web3_attached(data: object, expected: str | None) -> None:
    assert revert_data_of(_Raised(data)) == expected
