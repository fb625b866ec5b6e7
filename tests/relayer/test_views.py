"""Boolean views read in one JSON-RPC batch answer what the contract's own calls answer, in order."""

from __future__ import annotations

import pytest
from web3 import Web3

from core.chain.transactions import transact
from relayer.outbox.views import ViewFailed, bool_views
from tests.indexer.mirror_support import PrivateChain


def test_a_batch_of_is_allowed_and_payment_ref_used_reads_matches_single_calls(private_chain: PrivateChain) -> None:
    own = private_chain.contracts.ownership
    fresh = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(0x5000, 0x5006)]
    transact(private_chain.w3, private_chain.admin, own.functions.setAllowedBatch(fresh[::2], True))
    accounts = [a.lower() for a in fresh] + [private_chain.investors[0].address]
    got = bool_views(private_chain.w3, own.address, "isAllowed(address)", accounts)
    assert got == [bool(own.functions.isAllowed(Web3.to_checksum_address(a)).call()) for a in accounts]
    assert got == [True, False, True, False, True, False, True]
    refs = [Web3.keccak(text=f"views-{i}") for i in range(3)]
    assert bool_views(private_chain.w3, own.address, "paymentRefUsed(bytes32)", refs) == [False] * 3
    assert bool_views(private_chain.w3, own.address, "isAllowed(address)", []) == []


def test_a_view_of_an_address_without_code_fails_the_read(private_chain: PrivateChain) -> None:
    with pytest.raises(ViewFailed, match="isAllowed"):
        bool_views(private_chain.w3, "0x" + "00" * 19 + "42", "isAllowed(address)", ["0x" + "11" * 20])
