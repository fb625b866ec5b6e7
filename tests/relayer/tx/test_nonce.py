"""The nonce rule: the next nonce is above every nonce we hold and every nonce the chain has seen; a nonce the
chain still waits for that no row holds is a gap to fill."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relayer.tx.nonce import plan_nonces

nonces = st.integers(min_value=0, max_value=60)


@given(held=st.sets(nonces, max_size=30), latest=nonces, ahead=st.integers(min_value=0, max_value=10))
def test_the_next_nonce_reuses_nothing_and_every_gap_is_named(held: set[int], latest: int, ahead: int) -> None:
    pending = latest + ahead
    plan = plan_nonces(held, latest, pending)
    assert plan.next_nonce not in held
    assert plan.next_nonce >= max([latest, pending, *(n + 1 for n in held)])
    assert not set(plan.gaps) & held
    assert all(latest <= g < plan.next_nonce for g in plan.gaps)
    # after filling the gaps, every nonce the chain will wait for below the next one is held by a row
    ours = max(held) + 1 if held else 0
    assert set(range(latest, ours)) <= held | set(plan.gaps)
    assert list(plan.gaps) == sorted(plan.gaps)


def test_contiguous_rows_have_no_gap_and_continue() -> None:
    assert plan_nonces([0, 1, 2], chain_latest=1, chain_pending=3).next_nonce == 3
    assert plan_nonces([0, 1, 2], chain_latest=1, chain_pending=3).gaps == ()


def test_a_missing_row_below_our_highest_nonce_is_a_gap() -> None:
    plan = plan_nonces([0, 2, 4], chain_latest=1, chain_pending=1)
    assert plan.gaps == (1, 3) and plan.next_nonce == 5


def test_nonces_used_elsewhere_are_skipped_not_reused() -> None:
    assert plan_nonces([], chain_latest=7, chain_pending=9).next_nonce == 9  # another sender's pool slots
    assert plan_nonces([0, 1], chain_latest=5, chain_pending=5).next_nonce == 5  # used on chain, not by us


def test_a_chain_behind_our_rows_leaves_no_gap_when_every_nonce_is_held() -> None:
    # a node that lost its pool (or state): our rows still hold every nonce; they are sent again, none is filled
    assert plan_nonces([0, 1, 2, 3], chain_latest=0, chain_pending=0).gaps == ()
