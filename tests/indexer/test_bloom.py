"""bloom_may_contain against an independent bloom implementation (eth-bloom) and real anvil headers."""

from __future__ import annotations

from eth_bloom import BloomFilter
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3

from core.chain.abis import OWNERSHIP, load_abi
from indexer.decode.decoder import topic0_of
from indexer.rpc.bloom import bloom_has, bloom_may_contain
from indexer.rpc.client import RpcClient
from tests.indexer.scenario import Contracts, emit_every_event

items = st.lists(st.binary(min_size=20, max_size=32), min_size=1, max_size=30)


def _bloom_of(values: list[bytes]) -> bytes:
    bloom = BloomFilter()
    for v in values:
        bloom.add(v)
    return int(bloom).to_bytes(256, "big")


@given(items)
def test_every_added_item_is_reported_present(values: list[bytes]) -> None:
    bloom = _bloom_of(values)
    assert all(bloom_has(bloom, v) for v in values)
    assert all(bloom_has(bloom, "0x" + v.hex()) for v in values)


@given(items, st.binary(min_size=20, max_size=20))
def test_agrees_with_eth_bloom_on_absent_items(values: list[bytes], probe: bytes) -> None:
    bloom = BloomFilter()
    for v in values:
        bloom.add(v)
    assert bloom_has(int(bloom).to_bytes(256, "big"), probe) == (probe in bloom)


def test_empty_bloom_contains_nothing_and_a_missing_one_rules_nothing_out() -> None:
    assert not bloom_may_contain(bytes(256), ["0x" + "11" * 20])
    assert bloom_may_contain(b"", ["0x" + "11" * 20])


def test_topics_narrow_the_match() -> None:
    address, topic = bytes.fromhex("11" * 20), bytes.fromhex("22" * 32)
    bloom = _bloom_of([address, topic])
    assert bloom_may_contain(bloom, [address], [topic])
    assert bloom_may_contain(bloom, [address])
    assert not bloom_may_contain(bloom, [address], [bytes.fromhex("33" * 32)])


def test_real_anvil_headers_flag_exactly_the_blocks_with_our_logs(
    chain, admin, minter, investors, treasury, anvil, rpc_addresses
) -> None:
    emit_every_event(
        chain.w3,
        Contracts(chain.ownership, chain.router, chain.stablecoin),
        admin,
        minter,
        investors,
        treasury.address,
        tag="bloom",
    )
    minted = topic0_of(next(e for e in load_abi(OWNERSHIP) if e.get("name") == "InvestmentMinted"))
    coin = chain.stablecoin.address.lower()
    with RpcClient([anvil.url]) as client:
        head = client.head().number
        first = chain.deployment.deploy_block
        ours = {lg.block_number for lg in client.logs(first, head, rpc_addresses)}
        with_mints = {lg.block_number for lg in client.logs(first, head, rpc_addresses) if lg.topics[0] == minted}
        coin_only = {lg.block_number for lg in client.logs(first, head, [coin])} - ours
        headers = client.headers(list(range(first, head + 1)))
    assert ours and with_mints and coin_only  # the scenario exercised all three cases
    for h in headers:
        assert bloom_may_contain(h.logs_bloom, rpc_addresses) == (h.number in ours), h.number
        assert bloom_may_contain(h.logs_bloom, rpc_addresses, [minted]) == (h.number in with_mints), h.number
        if h.number in coin_only:
            assert bloom_may_contain(h.logs_bloom, [Web3.to_checksum_address(coin)])
