"""Contract-test helpers: a transaction sender bound to the per-test chain snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from core.chain.transactions import transact
from tests.conftest import Chain

Send = Callable[..., TxReceipt]


@pytest.fixture
def send(chain: Chain) -> Send:
    def _send(account: LocalAccount, call: ContractFunction, **overrides: Any) -> TxReceipt:
        return transact(chain.w3, account, call, **overrides)

    return _send


@pytest.fixture
def project(chain: Chain, admin: LocalAccount, send: Send, investors: list[LocalAccount]) -> int:
    """Project 7 with a $1,000 cap (100,000 cents) and the first three investors allowlisted."""
    send(admin, chain.ownership.functions.createProject(7, 100_000, "bafkreiexample"))
    send(admin, chain.ownership.functions.setAllowedBatch([i.address for i in investors[:3]], True))
    return 7
