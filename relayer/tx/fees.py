"""EIP-1559 fees: the first offer and the replacement rule. Pure; all amounts in wei (integers).

A replacement must raise both the fee cap and the tip by at least 12.5% over the attempt it replaces (geth and
most nodes refuse less as "replacement transaction underpriced"; 12.5% also clears nodes that ask 10%)."""

from __future__ import annotations

from dataclasses import dataclass

GWEI = 10**9
BUMP_NUMERATOR, BUMP_DENOMINATOR = 9, 8  # +12.5%


@dataclass(frozen=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


def initial_fees(base_fee: int, priority_fee: int, cap: int) -> Fees:
    """Twice the base fee plus the tip (room for six full blocks of +12.5% base fee), never above `cap`.

    When the cap is below that, the offer is the cap: the transaction waits in the pool until the base fee falls
    under it (or the cap is raised and a replacement goes out)."""
    max_fee = min(2 * base_fee + priority_fee, cap)
    return Fees(max_fee, min(priority_fee, max_fee))


def raised(value: int) -> int:
    """At least +12.5%, rounded up, and always at least one wei more (a zero tip must still grow)."""
    return max(-(-value * BUMP_NUMERATOR // BUMP_DENOMINATOR), value + 1)


def bumped_fees(previous: Fees, base_fee: int, priority_fee: int, cap: int) -> Fees | None:
    """The fees of a replacement for `previous`, or None when the cap leaves no room for one.

    Both fees rise by at least 12.5% (rounded up); the tip also rises to today's `priority_fee` and the fee cap to
    what today's `base_fee` needs, when those are higher. The fee cap is then limited to `cap`. At the cap: when the
    cap is below the +12.5% minimum of either fee, no replacement is possible (a node would refuse it as
    underpriced), so None: the transaction keeps waiting at its current fees and is listed as stuck once past the
    deadline; raising the cap (RELAYER_TX_MAX_FEE_GWEI) lets the next bump through."""
    tip = max(raised(previous.max_priority_fee_per_gas), priority_fee)
    max_fee = max(raised(previous.max_fee_per_gas), 2 * base_fee + tip)
    max_fee = min(max_fee, cap)
    tip = min(tip, max_fee)
    if max_fee < raised(previous.max_fee_per_gas) or tip < raised(previous.max_priority_fee_per_gas):
        return None
    return Fees(max_fee, tip)
