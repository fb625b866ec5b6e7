"""Provider range-limit messages, as providers send them, read by parse_range_limit."""

from __future__ import annotations

import pytest

from indexer.rpc.limits import RangeAdvice, parse_range_limit

FROM, TO = 0x1A2B3C, 0x1A2B3C + 99_999


def test_infura_too_many_results_with_suggested_range() -> None:
    msg = "query returned more than 10000 results. Try with this block range [0x1A2B3C, 0x1A2F00]."
    assert parse_range_limit(-32005, msg, FROM, TO) == RangeAdvice(0x1A2F00, None, 0x1A2F00 - FROM + 1)


def test_infura_too_many_results_without_suggestion_means_halve() -> None:
    assert parse_range_limit(-32005, "query returned more than 10000 results", FROM, TO) == RangeAdvice(None, None)


def test_infura_block_range_cap_on_mainnet() -> None:
    assert parse_range_limit(-32602, "range 1000000 exceeds limit of 10000", FROM, TO) == RangeAdvice(None, 10_000)


def test_infura_rate_limit_with_the_same_code_is_not_a_range_limit() -> None:
    assert parse_range_limit(-32005, "daily request count exceeded, request rate limited", FROM, TO) is None
    assert parse_range_limit(-32005, "project ID request rate exceeded", FROM, TO) is None


def test_alchemy_log_response_size_exceeded_with_suggestion() -> None:
    msg = (
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on "
        "the response size, or you can request any block range with a cap of 10K logs in the response. Based on "
        "your parameters and the response size limit, this block range should work: [0x1a2b3c, 0x1a2d01]"
    )
    assert parse_range_limit(-32602, msg, FROM, TO) == RangeAdvice(0x1A2D01, 2_000, 0x1A2D01 - FROM + 1)


def test_alchemy_free_tier_500_block_range() -> None:
    msg = (
        "You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, "
        "this block range should work: [0x1a2b3c, 0x1a2d2f]"
    )
    assert parse_range_limit(-32600, msg, FROM, TO) == RangeAdvice(0x1A2D2F, 500, 500)


def test_quicknode_ten_thousand_range() -> None:
    assert parse_range_limit(-32614, "eth_getLogs is limited to a 10,000 range", FROM, TO) == RangeAdvice(None, 10_000)


def test_quicknode_code_alone_is_a_range_limit() -> None:
    assert parse_range_limit(-32614, "something new", FROM, TO) == RangeAdvice(None, None)


def test_quicknode_newer_wording_with_blocks() -> None:
    msg = "eth_getLogs and eth_newFilter are limited to a 10,000 blocks range"
    assert parse_range_limit(-32614, msg, FROM, TO) == RangeAdvice(None, 10_000)


def test_block_range_too_large_with_max() -> None:
    msg = "block range too large, max: 3500"
    assert parse_range_limit(-32000, msg, FROM, TO) == RangeAdvice(None, 3_500)


def test_cdk_erigon_block_range_too_large_max_range() -> None:
    assert parse_range_limit(-32005, "block range too large, max range: 3500", FROM, TO) == RangeAdvice(None, 3_500)


def test_bsc_style_exceed_maximum_block_range() -> None:
    assert parse_range_limit(-32000, "exceed maximum block range: 2000", FROM, TO) == RangeAdvice(None, 2_000)


def test_morph_style_larger_than_max_block_range() -> None:
    msg = "block range is larger than max block range, block range = 5120, max block range = 5000"
    assert parse_range_limit(-32000, msg, FROM, TO) == RangeAdvice(None, 5_000)


def test_tenderly_range_bigger_than_range_limit() -> None:
    msg = "invalid params; range 9009594 is bigger than range limit 2000"
    assert parse_range_limit(-32602, msg, FROM, TO) == RangeAdvice(None, 2_000)


@pytest.mark.parametrize(
    "msg",
    [
        "range too large",
        "block range is bigger than maxBlockRange",
        "block range is too wide",
        "query exceeds max results 20000, retry with a smaller range",
        "Log response size exceeded.",
        "query timeout exceeded",
    ],
)
def test_generic_range_refusals_without_numbers_mean_halve(msg: str) -> None:
    assert parse_range_limit(-32000, msg, FROM, TO) == RangeAdvice(None, None)


@pytest.mark.parametrize(
    "msg",
    [
        "block range extends beyond current head block",
        "execution reverted",
        "header not found",
        "Too Many Requests",
        "",
    ],
)
def test_other_errors_are_not_range_limits(msg: str) -> None:
    assert parse_range_limit(-32000, msg, FROM, TO) is None


def test_suggestion_that_makes_no_progress_is_dropped() -> None:
    msg = f"query returned more than 10000 results. Try with this block range [{hex(FROM)}, {hex(TO)}]."
    assert parse_range_limit(-32005, msg, FROM, TO) == RangeAdvice(None, None)


def test_suggestion_cut_for_another_start_keeps_its_width() -> None:
    msg = "this block range should work: [0x100, 0x1ff]"
    assert parse_range_limit(-32602, msg, 0x1000, 0x5000) == RangeAdvice(0x10FF, None, 0x100)


def test_decimal_suggestion_is_read_too() -> None:
    msg = f"query returned more than 10000 results. Try with this block range [{FROM}, {FROM + 41}]."
    assert parse_range_limit(-32005, msg, FROM, TO) == RangeAdvice(FROM + 41, None, 42)
