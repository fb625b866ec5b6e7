"""The indexer's pure rules: finality, the follow loop's next step, common-ancestor search, batch cutting, RPC value
validation, JSON and COPY text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.batching import cut_batches
from indexer.checkpoint import Checkpoint
from indexer.errors import ReorgBeyondFinality
from indexer.finality import finalized_block
from indexer.records import EventRecord, args_json, stored_args
from indexer.reorg import Step, find_common_ancestor, next_step
from indexer.rpc import normalize
from indexer.store.copy_text import text_field
from indexer.types import BlockHeader

WHEN = datetime(2026, 11, 27, tzinfo=UTC)


def test_finality_from_the_tag_or_a_fixed_depth_and_never_back() -> None:
    assert finalized_block(head=100, tagged=36, fallback_depth=256) == 36
    assert finalized_block(head=1000, tagged=None, fallback_depth=256) == 744
    assert finalized_block(head=100, tagged=None, fallback_depth=256) == -1
    assert finalized_block(head=100, tagged=30, fallback_depth=256, previous=36) == 36
    assert finalized_block(head=50, tagged=80, fallback_depth=256) == 50


def window(hashes: dict[int, str]) -> list[tuple[int, str, str]]:
    return [(n, h, hashes.get(n - 1, "0xparent")) for n, h in hashes.items()]


def test_common_ancestor_is_the_newest_block_the_chain_still_has() -> None:
    stored = {10: "0xa10", 11: "0xa11", 12: "0xa12", 13: "0xa13"}
    chain = {10: "0xa10", 11: "0xa11", 12: "0xb12", 13: "0xb13"}
    reorg = find_common_ancestor(window(stored), chain.get, 13, Checkpoint(13, "0xa13", 10))
    assert (reorg.ancestor, reorg.ancestor_hash, reorg.depth) == (11, "0xa11", 2)


def test_a_shorter_chain_is_a_reorg_down_to_its_head() -> None:
    stored = {10: "0xa10", 11: "0xa11", 12: "0xa12"}
    reorg = find_common_ancestor(window(stored), {10: "0xa10", 11: "0xa11"}.get, 11, Checkpoint(12, "0xa12", 10))
    assert (reorg.ancestor, reorg.depth) == (11, 1)


def test_a_fork_at_or_below_finality_names_both_hashes() -> None:
    stored = {10: "0xa10", 11: "0xa11", 12: "0xa12"}
    chain = {10: "0xb10", 11: "0xb11", 12: "0xb12"}
    with pytest.raises(ReorgBeyondFinality) as halted:
        find_common_ancestor(window(stored), chain.get, 12, Checkpoint(12, "0xa12", 10))
    assert halted.value.block_number == 10
    assert "0xa10" in str(halted.value) and "0xb10" in str(halted.value)


def record(block: int, index: int) -> EventRecord:
    return EventRecord(block, f"0xh{block}", index, "0xt", 0, WHEN, "0xc", "AllowlistUpdated", stored_args({}))


def test_batches_cut_at_block_boundaries_and_end_on_the_range_end() -> None:
    records = [record(3, 0), record(3, 1), record(3, 2), record(5, 0), record(5, 1), record(8, 0)]
    end = BlockHeader(9, "0xh9", "0xh8", 0, b"")
    batches = list(cut_batches(1, 1, end, records, finalized=9, max_events=2))
    assert [(b.from_block, b.checkpoint.block_number, len(b.records)) for b in batches] == [
        (1, 3, 3),
        (4, 5, 2),
        (6, 9, 1),
    ]
    assert [b.checkpoint.block_hash for b in batches] == ["0xh3", "0xh5", "0xh9"]
    assert list(batches[-1].headers) == [end] and all(not b.headers for b in batches[:-1])


def test_args_json_is_exact_for_uint256_and_escapes_free_text() -> None:
    args = stored_args({"value": 2**256 - 1, "ids": (1, 2**200), "ok": False, "cid": 'a"b\\c\nd', "account": "0xab"})
    assert json.loads(args_json(args)) == {
        "value": str(2**256 - 1),
        "ids": ["1", str(2**200)],
        "ok": False,
        "cid": 'a"b\\c\nd',
        "account": "0xab",
    }


def test_copy_text_escapes_what_the_text_format_needs() -> None:
    assert text_field("plain0xabc") == "plain0xabc"
    assert text_field('{"c":"a\\\\b\\nc"}\t') == '{"c":"a\\\\\\\\b\\\\nc"}\\t'


# ----- the next step of the follow loop (indexer/reorg.py) -----------------------------------------------

hashes = st.sampled_from(["0xa", "0xb", "0xc"])


def header_at(number: int, block_hash: str, parent: str = "0xp") -> BlockHeader:
    return BlockHeader(number, block_hash, parent, 0, b"")


@given(st.integers(1, 10_000), st.integers(1, 500), hashes, hashes, st.booleans())
def test_a_head_below_the_checkpoint_is_a_reorg_only_on_a_hash_mismatch_at_its_height(
    indexed: int, below: int, head_hash: str, stored_hash: str, window_reaches: bool
) -> None:
    head = header_at(max(0, indexed - below), head_hash)
    stored = stored_hash if window_reaches else None
    step = next_step(Checkpoint(indexed, "0xtip", indexed - 600), head, None, stored)
    assert step is (Step.REORG if stored is not None and stored != head_hash else Step.BEHIND)


@given(hashes, hashes)
def test_at_or_above_the_checkpoint_the_hashes_decide(tip: str, other: str) -> None:
    indexed = Checkpoint(10, tip)
    assert next_step(indexed, header_at(10, other), None, None) is (Step.CAUGHT_UP if other == tip else Step.REORG)
    following = header_at(11, "0xnew", parent=other)
    assert next_step(indexed, following, following, None) is (Step.APPLY if other == tip else Step.REORG)


# ----- what the RPC may hand over (indexer/rpc/normalize.py) -------------------------------------------

GOOD_LOG = {
    "address": "0x" + "Ab" * 20,
    "topics": ["0x" + "11" * 32],
    "data": "0x00ff",
    "blockNumber": "0x10",
    "blockHash": "0x" + "22" * 32,
    "transactionHash": "0x" + "33" * 32,
    "transactionIndex": "0x0",
    "logIndex": "0x1",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "0x" + "ab" * 19),
        ("blockHash", "0x" + "22" * 31 + "2\t"),
        ("blockHash", "0x" + "22" * 32 + "'"),
        ("transactionHash", "22" * 33),
        ("topics", ["0x" + "11" * 31]),
        ("data", "0x0"),
        ("data", "0x00 0"),
        ("data", "0x0 00"),
        ("blockNumber", "-0x10"),
        ("logIndex", "0x1_0"),
        ("transactionIndex", 3),
    ],
)
def test_a_malformed_log_field_is_refused_before_it_can_reach_copy_text(field: str, value: object) -> None:
    assert normalize.raw_log(GOOD_LOG).address == "0x" + "ab" * 20  # lowercased, accepted
    with pytest.raises((ValueError, TypeError)):  # the client reads both as a bad_response
        normalize.raw_log(GOOD_LOG | {field: value})


def test_a_repeated_log_is_kept_once_and_two_different_logs_at_one_position_are_refused() -> None:
    assert normalize.raw_logs([GOOD_LOG, dict(GOOD_LOG), GOOD_LOG | {"logIndex": "0x2"}]) == [
        normalize.raw_log(GOOD_LOG),
        normalize.raw_log(GOOD_LOG | {"logIndex": "0x2"}),
    ]
    with pytest.raises(ValueError, match="two different logs"):
        normalize.raw_logs([GOOD_LOG, GOOD_LOG | {"data": "0x"}])
