"""Largest-remainder allocation (invariant 6): amounts sum exactly to the total, each within a cent of the exact
pro-rata share, deterministic whatever the order the holders come in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.distributions.allocation import AllocationError, allocate, exact_share

holders = st.dictionaries(
    st.text(alphabet="0123456789abcdef", min_size=1, max_size=6),
    st.integers(min_value=0, max_value=10**12),
    min_size=1,
    max_size=60,
).filter(lambda b: sum(b.values()) > 0)
totals = st.integers(min_value=1, max_value=10**13)


@given(totals, holders)
def test_amounts_sum_exactly_and_stay_within_a_cent_of_the_exact_share(total: int, balances: dict[str, int]) -> None:
    amounts = allocate(total, balances)
    supply = sum(balances.values())
    assert sum(amounts.values()) == total
    assert set(amounts) == {h for h, b in balances.items() if b > 0}
    for holder, amount in amounts.items():
        assert abs(amount - exact_share(total, balances[holder], supply)) < 1


@given(totals, holders, st.randoms())
def test_the_order_of_holders_changes_nothing(total: int, balances: dict[str, int], rnd: object) -> None:
    items = list(balances.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert allocate(total, dict(items)) == allocate(total, balances)


@given(totals, holders)
def test_a_holder_with_more_never_gets_less(total: int, balances: dict[str, int]) -> None:
    amounts = allocate(total, balances)
    ranked = sorted(amounts, key=lambda h: balances[h])
    for smaller, larger in zip(ranked, ranked[1:], strict=False):
        if balances[smaller] < balances[larger]:
            assert amounts[smaller] <= amounts[larger]


def test_ties_in_the_remainder_go_to_the_smaller_holder_key() -> None:
    assert allocate(1, {"b": 1, "a": 1, "c": 1}) == {"a": 1, "b": 0, "c": 0}
    assert allocate(2, {"b": 1, "a": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}


@pytest.mark.parametrize(
    ("total", "balances", "code"),
    [
        (0, {"a": 1}, "DISTRIBUTION_TOTAL_NOT_POSITIVE"),
        (-5, {"a": 1}, "DISTRIBUTION_TOTAL_NOT_POSITIVE"),
        (100, {}, "NO_HOLDERS"),
        (100, {"a": 0}, "NO_HOLDERS"),
        (100, {"a": -1, "b": 3}, "NEGATIVE_BALANCE"),
    ],
)
def test_what_cannot_be_allocated_says_why(total: int, balances: dict[str, int], code: str) -> None:
    with pytest.raises(AllocationError) as caught:
        allocate(total, balances)
    assert caught.value.code == code
