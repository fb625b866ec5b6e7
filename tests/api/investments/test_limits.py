"""The Regulation Crowdfunding 12-month limit as a pure function: the SEC's own examples, and properties that hold
for any declaration (floor, cap, symmetry, exact cents) and any configured thresholds."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.investments.limits import RegCfRule, remaining, twelve_month_limit

RULE = RegCfRule()
DOLLAR = 100
cents = st.integers(min_value=0, max_value=10**13)
maybe_cents = st.none() | cents


@pytest.mark.parametrize(
    ("income", "worth", "limit"),
    [
        # The SEC's investor bulletin table (thresholds of the 2021 amendments), in dollars.
        (30_000, 105_000, 5_250),  # 5% of $105,000
        (150_000, 80_000, 7_500),  # 5% of $150,000
        (150_000, 100_000, 7_500),
        (200_000, 900_000, 90_000),  # both >= $124,000: 10% of $900,000
        (1_200_000, 2_000_000, 124_000),  # 10% of $2,000,000, capped
        (20_000, 30_000, 2_500),  # the floor
    ],
)
def test_the_secs_examples(income: int, worth: int, limit: int) -> None:
    assert twelve_month_limit(income * DOLLAR, worth * DOLLAR, RULE) == limit * DOLLAR


def test_no_declaration_gets_the_floor() -> None:
    assert twelve_month_limit(None, None, RULE) == RULE.floor_cents
    assert twelve_month_limit(None, 10**12, RULE) == twelve_month_limit(0, 10**12, RULE)


def _rule() -> st.SearchStrategy[RegCfRule]:
    pct = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)
    return st.builds(
        RegCfRule, floor_cents=cents, threshold_cents=cents, low_percent=pct, high_percent=pct, max_cents=cents
    )


@given(maybe_cents, maybe_cents, _rule())
def test_below_the_threshold_never_less_than_the_floor(income: int | None, worth: int | None, rule: RegCfRule) -> None:
    if (income or 0) < rule.threshold_cents or (worth or 0) < rule.threshold_cents:
        assert twelve_month_limit(income, worth, rule) >= rule.floor_cents


@given(cents, cents, _rule())
def test_at_or_above_the_threshold_never_more_than_the_maximum(income: int, worth: int, rule: RegCfRule) -> None:
    if income >= rule.threshold_cents and worth >= rule.threshold_cents:
        assert twelve_month_limit(income, worth, rule) <= rule.max_cents


@given(maybe_cents, maybe_cents, _rule())
def test_symmetric_in_income_and_net_worth(income: int | None, worth: int | None, rule: RegCfRule) -> None:
    assert twelve_month_limit(income, worth, rule) == twelve_month_limit(worth, income, rule)


@given(cents, cents, _rule())
def test_exactly_the_rule_in_rational_arithmetic_rounded_down_to_the_cent(
    income: int, worth: int, rule: RegCfRule
) -> None:
    greater = max(income, worth)
    if income < rule.threshold_cents or worth < rule.threshold_cents:
        expected = max(rule.floor_cents, int(Fraction(greater) * Fraction(rule.low_percent) / 100))
    else:
        expected = min(int(Fraction(greater) * Fraction(rule.high_percent) / 100), rule.max_cents)
    assert twelve_month_limit(income, worth, rule) == expected


@given(cents, cents, cents)
def test_with_the_default_rule_more_means_never_less_below_the_threshold(income: int, worth: int, more: int) -> None:
    """Within one branch the limit grows with the declaration (the rule's one step is at the threshold)."""
    if max(income + more, worth) < RULE.threshold_cents or min(income, worth) >= RULE.threshold_cents:
        assert twelve_month_limit(income + more, worth, RULE) >= twelve_month_limit(income, worth, RULE)


@given(cents, cents)
def test_remaining_is_never_negative_and_adds_up(limit: int, used: int) -> None:
    left = remaining(limit, used)
    assert left >= 0 and (left == limit - used or (used >= limit and left == 0))
