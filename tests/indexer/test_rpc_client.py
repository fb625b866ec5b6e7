"""RpcClient on a real anvil, directly and through the fault-injecting proxy: same answers, no gap, no duplicate."""

from __future__ import annotations

import random
import socket
import time

import pytest
from prometheus_client import REGISTRY

from indexer.follow import LogsPolicy, logs_of_block
from indexer.rpc.bloom import bloom_may_contain
from indexer.rpc.client import RpcClient
from indexer.rpc.errors import RangeTooLarge, RpcUnavailable, UnknownBlock
from indexer.rpc.ranges import AdaptiveRange
from indexer.service import mirror_target
from indexer.types import ChainSource, RawLog
from tests.indexer.fault_proxy import Faults, ProxyConfig
from tests.indexer.scenario import Contracts, emit_every_event, mint_many

FAST = {"backoff_base": 0.001, "backoff_max": 0.01}  # retries without waiting: these tests count, never time


@pytest.fixture
def busy_chain(chain, admin, minter, investors, treasury):
    """The every-event scenario plus 20 blocks of batch mints: ~125 logs of ours over ~60 blocks."""
    contracts = Contracts(chain.ownership, chain.router, chain.stablecoin)
    emit_every_event(chain.w3, contracts, admin, minter, investors, treasury.address, tag="rpc")
    mint_many(chain.w3, contracts, minter, [i.address for i in investors[:3]], transactions=20, per_transaction=2)
    return chain


def _direct_logs(anvil, first: int, addresses: list[str]) -> list[RawLog]:
    with RpcClient([anvil.url]) as direct:
        return direct.logs(first, direct.head().number, addresses)


def _backfill(client: RpcClient, first: int, last: int, addresses: list[str], span: AdaptiveRange) -> list[RawLog]:
    """What the sync loop does: adaptive ranges, shrinking on refusals, until `last`."""
    out: list[RawLog] = []
    start = first
    while start <= last:
        end = min(last, start + span.next_span() - 1)
        try:
            out += client.logs(start, end, addresses)
        except RangeTooLarge as exc:
            span.on_limit(exc.advice, end - start + 1)
            continue
        span.on_success()
        start = end + 1
    return out


def _key(log: RawLog) -> tuple[int, int]:
    return (log.block_number, log.log_index)


def test_rpc_client_is_a_chain_source(anvil) -> None:
    with RpcClient([anvil.url]) as client:
        source: ChainSource = client
        assert source.chain_id() == 31337


def test_answers_match_anvil(busy_chain, anvil, rpc_addresses) -> None:
    w3 = busy_chain.w3
    with RpcClient([anvil.url]) as client:
        head = client.head()
        assert head.number == w3.eth.block_number
        block = w3.eth.get_block(head.number)
        assert head.hash == "0x" + bytes(block["hash"]).hex()
        assert head.parent_hash == "0x" + bytes(block["parentHash"]).hex()
        assert head.timestamp == block["timestamp"] and len(head.logs_bloom) == 256
        assert client.header(head.number) == head == client.header_by_hash(head.hash)
        numbers = list(range(max(0, head.number - 30), head.number + 1))
        assert client.headers(numbers) == [client.header(n) for n in numbers]
        assert client.header_by_hash("0x" + "11" * 32) is None
        assert isinstance(client.finalized_number(), int)
        first = busy_chain.deployment.deploy_block
        logs = client.logs(first, head.number, rpc_addresses)
        assert len(logs) > 100
        assert [lg for lg in logs if lg.block_hash == head.hash] == client.logs_by_block_hash(head.hash, rpc_addresses)


@pytest.mark.parametrize("style", ["infura", "alchemy", "quicknode"])
def test_backfill_through_faults_has_no_gap_and_no_duplicate(
    busy_chain, anvil, proxy_factory, rpc_addresses, style: str
) -> None:
    first = busy_chain.deployment.deploy_block
    expected = _direct_logs(anvil, first, rpc_addresses)
    faults = Faults(p429=0.1, p500=0.1, ptimeout=0.05)
    proxy = proxy_factory(
        seed=7, config=ProxyConfig(faults={"*": faults}, max_log_span=6, range_style=style, timeout_hold=1.0)
    )
    with RpcClient([proxy.url], timeout=0.3, max_retries=10, rng=random.Random(1), **FAST) as client:
        head = client.head().number
        got = _backfill(client, first, head, rpc_addresses, AdaptiveRange(max_span=64, calm_successes=2))
    assert got == expected
    assert len({_key(lg) for lg in got}) == len(got)
    assert proxy.counters["range_limit"] > 0
    assert proxy.counters["429"] > 0 and proxy.counters["500"] > 0 and proxy.counters["timeout"] > 0


def test_following_distrusts_an_empty_answer_the_bloom_contradicts(
    chain, anvil, proxy_factory, rpc_addresses, admin, minter, investors, treasury
) -> None:
    contracts = Contracts(chain.ownership, chain.router, chain.stablecoin)
    emit_every_event(chain.w3, contracts, admin, minter, investors, treasury.address, tag="follow")
    proxy = proxy_factory(seed=3, config=ProxyConfig(empty_head_logs=True))
    holders = [i.address for i in investors[:3]]
    target = mirror_target(chain.deployment)
    policy = LogsPolicy(attempts=3, sleep=lambda _s: None)
    got: list[RawLog] = []
    retries_before = REGISTRY.get_sample_value("terra_indexer_empty_logs_retries_total") or 0.0
    with RpcClient([proxy.url], **FAST) as client:
        start = client.head().number + 1
        for n in range(8):
            mint_many(chain.w3, contracts, minter, holders, transactions=1, per_transaction=2, tag=f"follow-{n}")
            header = client.head()
            assert bloom_may_contain(header.logs_bloom, rpc_addresses)
            got += logs_of_block(client, header, target, policy)  # the follow loop's own code, not a copy of it
    expected = _direct_logs(anvil, start, rpc_addresses)
    assert got == expected and len(got) == 8 * 4
    assert proxy.counters["empty_head_logs"] == 8
    assert (REGISTRY.get_sample_value("terra_indexer_empty_logs_retries_total") or 0.0) - retries_before == 8


def test_range_refusal_raises_range_too_large_with_the_suggestion(busy_chain, proxy_factory, rpc_addresses) -> None:
    proxy = proxy_factory(config=ProxyConfig(max_log_span=5, range_style="infura"))
    with RpcClient([proxy.url], **FAST) as client, pytest.raises(RangeTooLarge) as caught:
        client.logs(10, 40, rpc_addresses)
    assert (caught.value.advice.suggested_to, caught.value.from_block, caught.value.to_block) == (14, 10, 40)
    assert proxy.counters["range_limit"] == 1  # refusals are the caller's to handle: no retry here


def test_quicknode_413_range_refusal_is_read_from_the_body(busy_chain, proxy_factory, rpc_addresses) -> None:
    proxy = proxy_factory(config=ProxyConfig(max_log_span=5, range_style="quicknode"))
    with RpcClient([proxy.url], **FAST) as client, pytest.raises(RangeTooLarge) as caught:
        client.logs(10, 40, rpc_addresses)
    assert caught.value.advice.max_span == 5 and caught.value.code == -32614


def test_unknown_block_hash_raises_unknown_block(anvil, rpc_addresses) -> None:
    with RpcClient([anvil.url], max_retries=1, **FAST) as client, pytest.raises(UnknownBlock):
        client.logs_by_block_hash("0x" + "11" * 32, rpc_addresses)


def _errors(kind: str, url_index: str) -> float:
    return REGISTRY.get_sample_value("terra_indexer_rpc_errors_total", {"kind": kind, "url_index": url_index}) or 0.0


def test_fails_over_on_500s_and_returns_to_the_primary_after_cooldown(anvil, proxy_factory) -> None:
    primary = proxy_factory(config=ProxyConfig(dead=True))
    secondary = proxy_factory()
    errors_before = _errors("http_5xx", "0")
    with RpcClient([primary.url, secondary.url], max_retries=2, cooldown=0.2, **FAST) as client:
        assert client.chain_id() == 31337
        assert client.active == 1 and primary.counters["dead"] == 3
        client.head()
        assert primary.counters["requests"] == 3  # within the cool-down: the primary is left alone
        primary.config = ProxyConfig()  # the primary recovers
        time.sleep(0.25)  # past the cool-down (not a timing assertion: only lets the clock move)
        client.head()
        # back on the primary: its chain id first (never read while it was down), then the head
        assert client.active == 0 and primary.counters["requests"] == 5
        assert primary.counters["method:eth_chainId"] == 4
        before = secondary.counters["requests"]
        client.head()
        assert secondary.counters["requests"] == before
    assert _errors("http_5xx", "0") - errors_before == 3


def test_a_still_failing_primary_is_probed_once_per_cooldown(anvil, proxy_factory) -> None:
    primary = proxy_factory(config=ProxyConfig(dead=True))
    secondary = proxy_factory()
    now = [0.0]
    with RpcClient([primary.url, secondary.url], max_retries=3, cooldown=30, clock=lambda: now[0], **FAST) as client:
        client.head()
        assert primary.counters["requests"] == 4
        now[0] = 31.0
        client.head()  # one probe, then straight back to the secondary
        client.head()
        assert primary.counters["requests"] == 5 and client.active == 1


def test_fails_over_from_a_url_where_nothing_listens(anvil) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with RpcClient([dead, anvil.url], max_retries=1, **FAST) as client:
        assert client.chain_id() == 31337 and client.active == 1


def test_every_url_failing_raises_unavailable_naming_hosts_not_keys(capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v3/SECRET-API-KEY"
    with RpcClient([url, url + "?key=OTHER-SECRET"], max_retries=1, **FAST) as client:
        with pytest.raises(RpcUnavailable) as caught:
            client.head()
    assert caught.value.last is not None and caught.value.last.kind == "connection"
    captured = capsys.readouterr()
    text = str(caught.value) + captured.out + captured.err
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "SECRET" not in text


def test_429_waits_at_least_retry_after(anvil, proxy_factory) -> None:
    proxy = proxy_factory(config=ProxyConfig(faults={"*": Faults(p429=1.0)}, retry_after="2"))
    slept: list[float] = []
    with RpcClient([proxy.url], max_retries=3, sleep=slept.append, **FAST) as client:
        with pytest.raises(RpcUnavailable) as caught:
            client.head()
    assert caught.value.last.kind == "rate_limited"  # type: ignore[union-attr]
    assert len(slept) == 3 and all(2.0 <= s <= 30.0 for s in slept)
