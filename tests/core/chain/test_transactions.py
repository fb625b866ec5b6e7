"""Transactions on a real anvil: a revert at estimate time, in a call, or mined comes out named, as one line."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from core.chain.errors import ChainError, TransactionReverted
from core.chain.transactions import named_reverts, transact
from ipfs.cid import compute_cid
from tests.conftest import Chain

CID = compute_cid(b"transactions")


@pytest.fixture
def project_4(chain: Chain, admin: LocalAccount) -> int:
    transact(chain.w3, admin, chain.ownership.functions.createProject(4, 1_000, CID))
    return 4


def test_a_revert_at_gas_estimation_names_the_custom_error_and_its_arguments(
    chain: Chain, admin: LocalAccount, project_4: int
) -> None:
    with pytest.raises(TransactionReverted) as info:
        transact(chain.w3, admin, chain.ownership.functions.createProject(project_4, 1_000, CID))
    assert str(info.value) == "ProjectAlreadyExists(4)"
    assert isinstance(info.value, ChainError)  # what `terra` prints as one line


def test_a_revert_in_a_call_is_named_the_same_way(chain: Chain, investors: list[LocalAccount], project_4: int) -> None:
    outsider = investors[0].address
    with pytest.raises(TransactionReverted) as info, named_reverts():
        chain.ownership.functions.requireMintable(project_4, outsider, 1).call()
    assert str(info.value) == f"AccountNotAllowed({outsider})"


def test_a_mined_transaction_that_reverted_is_named_with_its_hash_and_block(
    chain: Chain, admin: LocalAccount, project_4: int
) -> None:
    before = chain.w3.eth.block_number
    with pytest.raises(TransactionReverted) as info:  # an explicit gas limit skips estimation: the node mines it
        transact(chain.w3, admin, chain.ownership.functions.createProject(project_4, 1_000, CID), gas=200_000)
    assert chain.w3.eth.block_number == before + 1
    message = str(info.value)
    assert message.startswith("ProjectAlreadyExists(4) (transaction 0x")
    assert message.endswith(f"reverted in block {before + 1})")
    assert info.value.data is not None and info.value.data.startswith("0x")
