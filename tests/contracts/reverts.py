"""Assert that a contract call reverts with a given custom error (by its ABI selector, arguments checked).

Works for a `.call()` (web3's ContractCustomError) and for a transaction sent through core.chain.transactions
(TransactionReverted, which carries the same revert data).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_abi.abi import decode
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError

from core.chain.errors import TransactionReverted


def error_selector(contract: Contract, name: str) -> tuple[str, list[str]]:
    item = next((i for i in contract.abi if i["type"] == "error" and i["name"] == name), None)
    assert item is not None, f"{name} is not an error of this contract's ABI"
    types = [inp["type"] for inp in item["inputs"]]
    return "0x" + Web3.keccak(text=f"{name}({','.join(types)})")[:4].hex().removeprefix("0x"), types


@contextmanager
def reverts_with(contract: Contract, name: str, *args: Any) -> Iterator[None]:
    selector, types = error_selector(contract, name)
    with pytest.raises((ContractCustomError, TransactionReverted)) as info:
        yield
    data = info.value.data
    if not isinstance(data, str):
        data = info.value.args[0]
    assert isinstance(data, str) and data[:10] == selector, f"expected {name}, got {info.value!r}"
    if args:
        decoded = decode(types, bytes.fromhex(data[10:]))
        assert tuple(_norm(v) for v in decoded) == tuple(_norm(a) for a in args)


def _norm(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value
