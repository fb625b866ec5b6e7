"""The fee rules: a first offer under the cap, and a replacement that raises both fees by at least 12.5% (rounded
up) or is not made at all when the cap leaves no room."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relayer.tx.fees import GWEI, Fees, bumped_fees, initial_fees, raised

wei = st.integers(min_value=0, max_value=10_000 * GWEI)


def at_least_an_eighth_more(new: int, old: int) -> bool:
    return 8 * new >= 9 * old and new > old


@given(old=wei)
def test_raised_is_the_smallest_integer_at_least_an_eighth_more(old: int) -> None:
    new = raised(old)
    assert at_least_an_eighth_more(new, old)
    assert new == old + 1 or not at_least_an_eighth_more(new - 1, old)


def test_raised_rounds_up() -> None:
    assert raised(8) == 9 and raised(9) == 11 and raised(0) == 1 and raised(100 * GWEI) == 112_500_000_000


@given(base=wei, tip=wei, cap=st.integers(min_value=1, max_value=10_000 * GWEI))
def test_a_first_offer_never_passes_the_cap_and_its_tip_never_passes_its_fee_cap(base: int, tip: int, cap: int) -> None:
    fees = initial_fees(base, tip, cap)
    assert fees.max_fee_per_gas <= cap
    assert fees.max_priority_fee_per_gas <= fees.max_fee_per_gas
    assert fees.max_fee_per_gas == min(2 * base + tip, cap)


@given(old_tip=wei, extra=wei, base=wei, tip=wei, cap=st.integers(min_value=1, max_value=30_000 * GWEI))
def test_a_replacement_raises_both_fees_by_an_eighth_within_the_cap_or_is_not_made(
    old_tip: int, extra: int, base: int, tip: int, cap: int
) -> None:
    old = Fees(old_tip + extra, old_tip)
    new = bumped_fees(old, base, tip, cap)
    room = cap >= raised(old.max_fee_per_gas)  # the tip's minimum fits under the fee cap's minimum
    assert (new is not None) == room
    if new is None:
        return
    assert at_least_an_eighth_more(new.max_fee_per_gas, old.max_fee_per_gas)
    assert at_least_an_eighth_more(new.max_priority_fee_per_gas, old.max_priority_fee_per_gas)
    assert new.max_fee_per_gas <= cap
    assert new.max_priority_fee_per_gas <= new.max_fee_per_gas
    # it also catches up with today's market where the cap allows
    assert new.max_fee_per_gas == min(cap, max(raised(old.max_fee_per_gas), 2 * base + new.max_priority_fee_per_gas))


def test_at_the_cap_there_is_no_replacement() -> None:
    old = Fees(10 * GWEI, 2 * GWEI)
    assert bumped_fees(old, base_fee=50 * GWEI, priority_fee=2 * GWEI, cap=10 * GWEI) is None
    assert bumped_fees(old, base_fee=50 * GWEI, priority_fee=2 * GWEI, cap=11 * GWEI) is None  # < +12.5%
    assert bumped_fees(old, base_fee=50 * GWEI, priority_fee=2 * GWEI, cap=12 * GWEI) == Fees(12 * GWEI, 2_250_000_000)


def test_a_replacement_follows_a_risen_base_fee() -> None:
    new = bumped_fees(Fees(3 * GWEI, GWEI), base_fee=100 * GWEI, priority_fee=GWEI, cap=500 * GWEI)
    assert new == Fees(200 * GWEI + 1_125_000_000, 1_125_000_000)
