"""The portfolio's arithmetic: a share is exact when the fraction terminates within 18 places and never above the
fraction otherwise; dollars are cents / 100 exactly; pro-rata estimates never hand out more than the total."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.portfolio.figures import SHARE_PLACES, dollars, pro_rata, share

UINT256 = st.integers(0, 2**256 - 1)


@given(data=st.data(), cap=st.integers(1, 2**256 - 1))
def test_a_share_is_the_fraction_exactly_or_cut_below_it(data: st.DataObject, cap: int) -> None:
    balance = data.draw(st.integers(0, cap))
    result = share(balance, cap)
    value = Fraction(Decimal(result.text))
    exact = Fraction(balance, cap)
    assert "e" not in result.text.lower() and not result.text.endswith(".")
    assert value <= exact < value + Fraction(1, 10**SHARE_PLACES)
    assert result.exact == (value == exact)


@given(twos=st.integers(0, SHARE_PLACES), fives=st.integers(0, SHARE_PLACES), k=st.integers(1, 10**9), data=st.data())
def test_a_share_that_terminates_within_the_places_is_exact(twos: int, fives: int, k: int, data: st.DataObject) -> None:
    denominator = 2**twos * 5**fives  # m / denominator has at most max(twos, fives) <= 18 decimal places
    m = data.draw(st.integers(0, denominator))
    result = share(m * k, denominator * k)
    assert result.exact and Fraction(Decimal(result.text)) == Fraction(m, denominator)


def test_share_refuses_impossible_inputs() -> None:
    with pytest.raises(ValueError):
        share(1, 0)
    with pytest.raises(ValueError):
        share(-1, 10)


@given(cents=UINT256)
def test_dollars_are_cents_over_a_hundred_exactly(cents: int) -> None:
    value = dollars(cents)
    assert Fraction(value) * 100 == cents and value.as_tuple().exponent == -2


@given(total=UINT256, data=st.data())
def test_pro_rata_parts_never_exceed_the_total(total: int, data: st.DataObject) -> None:
    balances = data.draw(st.lists(st.integers(0, 10**30), min_size=1, max_size=20))
    supply = sum(balances)
    parts = [pro_rata(total, b, supply) for b in balances]
    assert sum(parts) <= total if supply else sum(parts) == 0
    if supply:
        assert total - sum(parts) < len(balances)  # rounding down loses less than one unit per holder
