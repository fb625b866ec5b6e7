"""Fixtures of the transaction manager tests: a clean database and, on the session anvil (snapshot per test), a
project the minter can mint into with allowlisted investors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine

from core.chain.ownership import allow, create_project
from ipfs.cid import compute_cid
from tests.conftest import Chain
from tests.relayer.tx.support import CAP, PROJECT, rpc


@pytest.fixture
def project(chain: Chain, admin: LocalAccount, investors: list[LocalAccount], clean_db: Engine) -> Iterator[Chain]:
    """The chain with project PROJECT (cap CAP cents) and every investor allowlisted; automine and the base fee
    restored after."""
    create_project(chain.w3, chain.deployment, admin, PROJECT, CAP, compute_cid(b"tx manager tests"))
    allow(chain.w3, chain.deployment, admin, [i.address for i in investors])
    url = chain.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    base_fee = chain.w3.eth.get_block("latest")["baseFeePerGas"]
    yield chain
    rpc(url, "evm_setAutomine", [True])
    rpc(url, "anvil_setNextBlockBaseFeePerGas", [hex(base_fee)])  # evm_revert does not restore the fee market
