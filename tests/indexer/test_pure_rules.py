"""The indexer's pure rules: finality, common-ancestor search, batch cutting, JSON and COPY text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from indexer.batching import cut_batches
from indexer.checkpoint import Checkpoint
from indexer.errors import ReorgBeyondFinality
from indexer.finality import finalized_block
from indexer.records import EventRecord, args_json, stored_args
from indexer.reorg import find_common_ancestor
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
