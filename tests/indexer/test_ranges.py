"""AdaptiveRange: shrink on refusals (using provider hints), grow back after calm, stay within bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.rpc.limits import RangeAdvice
from indexer.rpc.ranges import AdaptiveRange


def test_starts_at_max_and_halves_without_advice() -> None:
    r = AdaptiveRange(max_span=1000)
    assert r.next_span() == 1000
    assert r.on_limit(None, 1000) == 500
    assert r.on_limit(RangeAdvice(None, None), 500) == 250


def test_uses_the_suggested_span() -> None:
    r = AdaptiveRange(max_span=10_000)
    assert r.on_limit(RangeAdvice(0x1F3, None, 123), 10_000) == 123


def test_provider_cap_becomes_a_ceiling_for_good() -> None:
    r = AdaptiveRange(max_span=100_000, calm_successes=1)
    assert r.on_limit(RangeAdvice(None, 3_500), 100_000) == 3_500
    for _ in range(10):
        r.on_success()
    assert r.next_span() == 3_500


def test_suggestion_is_a_one_off_hint_growth_passes_it() -> None:
    r = AdaptiveRange(max_span=8_000, calm_successes=2)
    r.on_limit(RangeAdvice(100, None, 100), 8_000)
    for _ in range(2 * 7):
        r.on_success()
    assert r.next_span() == 8_000


def test_grows_only_after_enough_calm_successes() -> None:
    r = AdaptiveRange(max_span=1000, initial_span=100, calm_successes=3)
    r.on_success()
    r.on_success()
    assert r.next_span() == 100
    r.on_success()
    assert r.next_span() == 200


def test_a_refusal_resets_the_calm_count() -> None:
    r = AdaptiveRange(max_span=1000, initial_span=100, calm_successes=2)
    r.on_success()
    r.on_limit(None, 100)
    r.on_success()
    assert r.next_span() == 50


def test_refusal_of_a_span_clipped_at_head_shrinks_below_it() -> None:
    r = AdaptiveRange(max_span=1000)
    assert r.on_limit(None, 10) == 5


def test_never_below_min_and_reports_it() -> None:
    r = AdaptiveRange(max_span=4, min_span=2)
    r.on_limit(None, 4)
    r.on_limit(None, 2)
    assert r.next_span() == 2 and r.at_minimum


def test_advice_at_or_above_what_failed_is_ignored_in_favour_of_halving() -> None:
    r = AdaptiveRange(max_span=1000)
    assert r.on_limit(RangeAdvice(None, 10_000, None), 1000) == 500


@pytest.mark.parametrize("kwargs", [{"max_span": 0}, {"max_span": 5, "min_span": 6}, {"max_span": 5, "growth": 1}])
def test_invalid_configuration_is_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        AdaptiveRange(**kwargs)


advices = st.one_of(
    st.none(),
    st.builds(
        RangeAdvice,
        st.none() | st.integers(0, 10**7),
        st.none() | st.integers(0, 10**6),
        st.none() | st.integers(0, 10**6),
    ),
)
steps = st.lists(st.one_of(st.just("ok"), st.tuples(advices, st.integers(0, 10**6))), max_size=60)


@given(st.integers(1, 50), st.integers(0, 100_000), steps)
def test_span_stays_in_bounds_and_never_grows_on_failure(min_span: int, extra: int, ops: list) -> None:
    r = AdaptiveRange(max_span=min_span + extra, min_span=min_span)
    for op in ops:
        before = r.next_span()
        if op == "ok":
            r.on_success()
        else:
            advice, tried = op
            r.on_limit(advice, tried)
            assert r.next_span() <= before
            if advice is not None and advice.max_span and advice.max_span >= min_span:
                assert r.next_span() <= advice.max_span
        assert min_span <= r.next_span() <= r.ceiling <= r.max_span


@given(st.integers(2, 100_000), st.integers(2, 100_000))
def test_a_refusal_always_makes_progress_above_the_minimum(max_span: int, tried: int) -> None:
    r = AdaptiveRange(max_span=max_span)
    assert r.on_limit(None, tried) < tried
