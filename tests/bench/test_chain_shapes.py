"""The benchmark chain's shapes: the platform shape is as wide and as long-tailed as real crowdfunding, and every
block it plans can be mined (allowlist before the first mint, transfers only from balances held)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.chain_shapes import PROJECTS, Shape, hot_shape, mints, platform_shape, shape

MILLION = 1_000_000


@pytest.fixture(scope="module")
def platform() -> Shape:
    return platform_shape(MILLION)


def test_platform_shape_has_at_least_ten_thousand_investors_for_a_million_events(platform: Shape) -> None:
    holders = {m.investor for m in mints(platform)}
    assert len(holders) >= 10_000
    assert abs(platform.events - MILLION) < 1_000


def test_hot_shape_is_todays_seven_investors_on_a_350_row_balance_set() -> None:
    hot = hot_shape(MILLION)
    assert hot.events >= MILLION
    assert len({(m.project, m.investor) for m in mints(hot)}) == 7 * PROJECTS


def test_most_platform_investors_invest_once_or_twice_and_a_few_many_times(platform: Shape) -> None:
    per_investor = Counter(m.investor for m in mints(platform))
    counts = sorted(per_investor.values(), reverse=True)
    assert sum(1 for c in counts if c <= 2) > 0.7 * len(counts)
    top_percent = counts[: len(counts) // 100]
    assert sum(top_percent) > 0.3 * sum(counts)  # the top 1% make more than 30% of the investments
    assert counts[0] >= 1_000


def test_platform_tickets_are_at_least_ten_dollars_and_long_tailed(platform: Shape) -> None:
    amounts = sorted(m.amount for m in mints(platform))
    assert amounts[0] >= 1_000  # cents
    assert amounts[len(amounts) // 2] < 5_000 < amounts[-1] // 100


def test_platform_projects_are_a_few_big_ones_and_many_small_ones(platform: Shape) -> None:
    per_project = Counter(m.project for m in mints(platform))
    assert set(per_project) == set(range(1, PROJECTS + 1))
    ranked = [n for _, n in per_project.most_common()]
    assert ranked[0] > 20 * ranked[-1]
    assert sum(ranked[:5]) > sum(ranked[25:])


def test_a_shape_is_the_same_for_the_same_seed_so_generation_resumes_where_it_stopped() -> None:
    assert platform_shape(30_000, seed=3) == platform_shape(30_000, seed=3)
    assert platform_shape(30_000, seed=3) != platform_shape(30_000, seed=4)


def test_unknown_shape_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'warm'"):
        shape("warm", 1_000)


def assert_minable(s: Shape) -> None:
    """Replays the plan as the contract would: mints only to allowlisted investors, allowlisting in an earlier block,
    each transfer covered by the sender's balance at the start of its block less everything it sends in that block."""
    allowed: set[int] = set()
    balances: Counter[tuple[int, int]] = Counter()
    for block in s.blocks:
        for tx in block.mints:
            for m in tx:
                assert m.investor in allowed, f"investor {m.investor} minted before its allowlist block"
                assert m.amount > 0
        outgoing: Counter[tuple[int, int]] = Counter()
        for t in block.transfers:
            assert t.sender != t.recipient and t.recipient in allowed
            for p, v in zip(t.projects, t.amounts, strict=True):
                outgoing[p, t.sender] += v
        for key, v in outgoing.items():
            assert balances[key] > v, f"{key} sends {v} of {balances[key]} (and must keep a unit: holders stay)"
        for tx in block.mints:
            for m in tx:
                balances[m.project, m.investor] += m.amount
        for t in block.transfers:
            for p, v in zip(t.projects, t.amounts, strict=True):
                balances[p, t.sender] -= v
                balances[p, t.recipient] += v
        assert not allowed & set(block.allow), "an investor allowlisted twice"
        allowed.update(block.allow)
    assert len({m.ref for m in mints(s)}) == sum(1 for _ in mints(s)), "a payment reference used twice"


def test_the_million_event_platform_chain_can_be_mined(platform: Shape) -> None:
    assert_minable(platform)
    assert sum(len(b.transfers) for b in platform.blocks) > 500


def test_the_hot_chain_can_be_mined() -> None:
    assert_minable(hot_shape(100_000))


@settings(max_examples=15, deadline=None)
@given(events=st.integers(min_value=2_000, max_value=40_000), seed=st.integers(min_value=0, max_value=10**6))
def test_any_platform_chain_can_be_mined_and_has_the_size_asked(events: int, seed: int) -> None:
    s = platform_shape(events, seed)
    assert_minable(s)
    assert abs(s.events - events) <= 5 + events // 1_000  # the transfers are planned at an average rate
