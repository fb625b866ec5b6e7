"""Contract-test helpers: a transaction sender bound to the per-test chain snapshot, a project, fake tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from core.chain.compiler import Build
from core.chain.transactions import send as send_tx
from core.chain.transactions import transact
from ipfs.cid import compute_cid
from tests.conftest import Chain
from tests.contracts.fakes import compile_fakes

Send = Callable[..., TxReceipt]
Deploy = Callable[..., Contract]

PROJECT_CID = compute_cid(b"project 7 metadata")  # a real CIDv1 (raw, sha2-256): bafkrei...


@pytest.fixture
def send(chain: Chain) -> Send:
    def _send(account: LocalAccount, call: ContractFunction, **overrides: Any) -> TxReceipt:
        return transact(chain.w3, account, call, **overrides)

    return _send


@pytest.fixture
def project(chain: Chain, admin: LocalAccount, send: Send, investors: list[LocalAccount]) -> int:
    """Project 7 with a $1,000 cap (100,000 cents) and the first three investors allowlisted."""
    send(admin, chain.ownership.functions.createProject(7, 100_000, PROJECT_CID))
    send(admin, chain.ownership.functions.setAllowedBatch([i.address for i in investors[:3]], True))
    return 7


@pytest.fixture(scope="session")
def fakes() -> Build:
    return compile_fakes()


@pytest.fixture
def deploy_fake(chain: Chain, admin: LocalAccount, fakes: Build) -> Deploy:
    """Deploy one of tests/contracts/fakes/FakeTokens.sol (inside the test's chain snapshot)."""

    def _deploy(name: str, *args: Any) -> Contract:
        compiled = fakes.contracts[name]
        factory = chain.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        receipt = send_tx(chain.w3, admin, dict(factory.constructor(*args).build_transaction({"from": admin.address})))
        address = Web3.to_checksum_address(str(receipt["contractAddress"]))
        return chain.w3.eth.contract(address=address, abi=compiled.abi)

    return _deploy
