"""Whose answers the indexer believes: a backfill range read from one node that has reached its end, every URL's
chain id checked before use, an empty logs answer the bloom contradicts believed only on the node's receipts, and
malformed or repeated entries refused as bad answers (retried, then another URL). Real anvil, faults by proxy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client import REGISTRY

from core.chain.transactions import transact
from indexer.backfill import fetch_range
from indexer.errors import WrongDeployment
from indexer.follow import LogsPolicy, logs_of_block
from indexer.rpc import errors as rpc_errors
from indexer.rpc.client import RpcClient
from indexer.rpc.errors import RpcError, RpcUnavailable
from indexer.service import mirror_target
from tests.indexer.fault_proxy import ProxyConfig
from tests.indexer.scenario import Contracts, emit_every_event, mint_many

FAST = {"backoff_base": 0.001, "backoff_max": 0.01}
NO_WAIT = LogsPolicy(attempts=2, sleep=lambda _s: None)


@pytest.fixture
def busy_chain(chain, admin, minter, investors, treasury):
    """The every-event scenario, then 10 blocks of batch mints: the newest blocks all hold logs of ours."""
    contracts = Contracts(chain.ownership, chain.router, chain.stablecoin)
    emit_every_event(chain.w3, contracts, admin, minter, investors, treasury.address, tag="sources")
    mint_many(chain.w3, contracts, minter, [i.address for i in investors[:3]], transactions=10, per_transaction=2)
    return chain


def _sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


# ----- one range, one source -----------------------------------------------------------------------


def test_a_backfill_range_is_read_from_one_node_that_has_reached_its_end(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    lagging = proxy_factory(config=ProxyConfig(lag_blocks=6))  # the primary, 6 blocks behind
    with RpcClient([anvil.url]) as direct:
        head = direct.head().number
        expected = fetch_range(direct, target, busy_chain.deployment.deploy_block, head)
    with RpcClient([lagging.url, anvil.url], **FAST) as client:
        got = fetch_range(client, target, busy_chain.deployment.deploy_block, head)
    assert got == expected
    assert any(lg.block_number > head - 6 for lg in expected.logs)  # what a node behind would silently leave out
    assert lagging.counters["method:eth_getLogs"] == 0  # nothing read from a node that has not reached the end


def test_a_range_no_node_has_reached_yet_waits_instead_of_reading_short(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    lagging = proxy_factory(config=ProxyConfig(lag_blocks=6))
    with RpcClient([anvil.url]) as direct:
        head = direct.head().number
    with RpcClient([lagging.url], **FAST) as client, pytest.raises(rpc_errors.RpcError) as caught:
        fetch_range(client, target, busy_chain.deployment.deploy_block, head)
    assert caught.value.kind == "behind"
    assert lagging.counters["method:eth_getLogs"] == 0


# ----- chain ids -----------------------------------------------------------------------------------


def test_a_url_serving_another_chain_is_never_read_even_when_the_good_one_fails(anvil, proxy_factory) -> None:
    good = proxy_factory()
    wrong = proxy_factory(config=ProxyConfig(chain_id=5))
    with RpcClient([good.url, wrong.url], max_retries=1, **FAST) as client:
        assert client.head().number >= 0
        good.config = ProxyConfig(dead=True)
        with pytest.raises(RpcError):
            client.head()  # failing over to another chain's node would read its blocks as ours
    assert wrong.counters["requests"] == wrong.counters["method:eth_chainId"]


def test_a_url_of_another_chain_is_refused_by_name(anvil, proxy_factory, capsys) -> None:
    good = proxy_factory()
    wrong = proxy_factory(config=ProxyConfig(chain_id=5))
    with RpcClient([wrong.url, good.url], chain_id=31337, **FAST) as client:
        assert client.head() == RpcClient([anvil.url]).head()
    captured = capsys.readouterr()
    out = captured.out + captured.err  # the log lines: stderr or stdout, as logging is set up
    assert "rpc_wrong_chain" in out and f"{wrong.url.removeprefix('http://')}" in out and "chain_id=5" in out
    assert wrong.counters["requests"] == wrong.counters["method:eth_chainId"] == 1
    with RpcClient([wrong.url], chain_id=31337, **FAST) as alone, pytest.raises(WrongDeployment, match="another chain"):
        alone.head()
    with RpcClient([good.url, wrong.url], **FAST) as undecided, pytest.raises(WrongDeployment, match="different"):
        undecided.chain_id()


# ----- logs of one block -----------------------------------------------------------------------------


def test_logs_missing_from_every_logs_answer_are_read_from_the_receipts(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    blind = proxy_factory(config=ProxyConfig(empty_logs=True))
    with RpcClient([anvil.url]) as direct:
        header = direct.head()
        expected = direct.logs_by_block_hash(header.hash, list(target.addresses))
    with RpcClient([blind.url], **FAST) as client:
        got = logs_of_block(client, header, target, NO_WAIT)
    assert expected and got == expected
    assert blind.counters["empty_logs"] == NO_WAIT.attempts + 1  # by hash (each attempt), then by range


def test_a_node_that_cannot_show_the_blocks_receipts_is_not_believed_empty(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    blind = proxy_factory(config=ProxyConfig(empty_logs=True, hide_receipts=True))
    with RpcClient([anvil.url]) as direct:
        header = direct.head()
    with RpcClient([blind.url], max_retries=1, **FAST) as client, pytest.raises(RpcError):
        logs_of_block(client, header, target, NO_WAIT)
    with RpcClient([blind.url, anvil.url], max_retries=1, **FAST) as client:  # another node that can prove it
        assert logs_of_block(client, header, target, NO_WAIT) == RpcClient([anvil.url]).logs_by_block_hash(
            header.hash, list(target.addresses)
        )


def test_logs_of_a_block_come_from_a_node_that_has_it(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    lagging = proxy_factory(config=ProxyConfig(lag_blocks=3))
    with RpcClient([anvil.url]) as direct:
        header = direct.head()
        expected = direct.logs_by_block_hash(header.hash, list(target.addresses))
    with RpcClient([lagging.url, anvil.url], **FAST) as client:
        assert logs_of_block(client, header, target, NO_WAIT) == expected and expected
    assert lagging.counters["method:eth_getLogs"] == 0


def test_an_empty_answer_by_hash_falls_back_to_the_range(busy_chain, anvil, proxy_factory) -> None:
    target = mirror_target(busy_chain.deployment)
    proxy = proxy_factory(config=ProxyConfig(empty_logs_by_hash=True))
    retries = _sample("terra_indexer_empty_logs_retries_total")
    with RpcClient([anvil.url]) as direct:
        header = direct.head()
        expected = direct.logs_by_block_hash(header.hash, list(target.addresses))
    with RpcClient([proxy.url], **FAST) as client:
        assert logs_of_block(client, header, target, NO_WAIT) == expected and expected
    assert _sample("terra_indexer_empty_logs_retries_total") - retries == NO_WAIT.attempts
    assert proxy.counters["method:eth_getBlockReceipts"] == 0  # the range answered: no proof needed


def test_a_bloom_false_positive_is_believed_once_the_receipts_show_no_log_of_ours(
    busy_chain, anvil, admin, investors
) -> None:
    target = mirror_target(busy_chain.deployment)
    transact(busy_chain.w3, admin, busy_chain.stablecoin.functions.mint(investors[0].address, 1))  # not our contract
    false_positives = _sample("terra_indexer_bloom_false_positives_total")
    with RpcClient([anvil.url]) as client:
        real = client.head()
        forged = replace(real, logs_bloom=b"\xff" * 256)  # a bloom that matches everything
        assert logs_of_block(client, forged, target, NO_WAIT) == []
        assert logs_of_block(client, real, target, NO_WAIT) == []
    assert _sample("terra_indexer_bloom_false_positives_total") - false_positives == 1


# ----- malformed and repeated answers ------------------------------------------------------------------


def test_a_log_repeated_in_one_answer_is_kept_once(busy_chain, anvil, proxy_factory, rpc_addresses) -> None:
    proxy = proxy_factory(config=ProxyConfig(duplicate_logs=True))
    first = busy_chain.deployment.deploy_block
    with RpcClient([anvil.url]) as direct:
        head = direct.head().number
        expected = direct.logs(first, head, rpc_addresses)
    with RpcClient([proxy.url], **FAST) as client:
        assert client.logs(first, head, rpc_addresses) == expected
    assert proxy.counters["duplicate_logs"] == 1


@pytest.mark.parametrize("fault", ["conflicting_logs", "log_hash"])
def test_a_logs_answer_that_cannot_be_true_is_a_bad_response_and_another_url_is_asked(
    fault: str, busy_chain, anvil, proxy_factory, rpc_addresses
) -> None:
    config = ProxyConfig(conflicting_logs=True) if fault == "conflicting_logs" else ProxyConfig(mangle="log_hash")
    proxy = proxy_factory(config=config)
    first = busy_chain.deployment.deploy_block
    with RpcClient([anvil.url]) as direct:
        head = direct.head().number
        expected = direct.logs(first, head, rpc_addresses)
    with RpcClient([proxy.url], max_retries=2, **FAST) as client, pytest.raises(RpcUnavailable) as caught:
        client.logs(first, head, rpc_addresses)
    assert caught.value.last is not None and caught.value.last.kind == "bad_response"
    with RpcClient([proxy.url, anvil.url], max_retries=1, **FAST) as client:
        assert client.logs(first, head, rpc_addresses) == expected


@pytest.mark.parametrize("mangle", ["parent_hash", "negative_number"])
def test_a_malformed_header_is_a_bad_response_and_another_url_is_asked(
    mangle: str, busy_chain, anvil, proxy_factory
) -> None:
    proxy = proxy_factory(config=ProxyConfig(mangle=mangle))
    with RpcClient([anvil.url]) as direct:
        expected = direct.header(direct.head().number - 1)
    with RpcClient([proxy.url], max_retries=1, **FAST) as client, pytest.raises(RpcUnavailable) as caught:
        client.header(expected.number)
    assert caught.value.last is not None and caught.value.last.kind == "bad_response"
    with RpcClient([proxy.url, anvil.url], max_retries=1, **FAST) as client:
        assert client.header(expected.number) == expected
