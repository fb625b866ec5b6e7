"""The 12-month investment limit of Regulation Crowdfunding (17 CFR 227.100(a)(2)) for a non-accredited investor,
as a pure function of what they declared. All figures are integer US cents; thresholds come from settings.

- When either annual income or net worth is below the threshold ($124,000): the greater of the floor ($2,500) or
  5% of the greater of the two.
- When both are at or above it: 10% of the greater of the two, capped at the maximum ($124,000).
An investor who declared nothing gets the floor (both taken as zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class RegCfRule:
    floor_cents: int = 250_000
    threshold_cents: int = 12_400_000
    low_percent: Decimal = Decimal(5)
    high_percent: Decimal = Decimal(10)
    max_cents: int = 12_400_000


def _percent_of(cents: int, percent: Decimal) -> int:
    """`percent` % of `cents`, rounded down to the cent: a limit never allows a fraction of a cent more."""
    return int((Decimal(cents) * percent / 100).to_integral_value(rounding=ROUND_FLOOR))


def twelve_month_limit(annual_income_cents: int | None, net_worth_cents: int | None, rule: RegCfRule) -> int:
    """How many cents the investor may invest across all offerings in 12 months."""
    income = max(annual_income_cents or 0, 0)
    worth = max(net_worth_cents or 0, 0)
    greater = max(income, worth)
    if income < rule.threshold_cents or worth < rule.threshold_cents:
        return max(rule.floor_cents, _percent_of(greater, rule.low_percent))
    return min(_percent_of(greater, rule.high_percent), rule.max_cents)


def remaining(limit_cents: int, used_cents: int) -> int:
    return max(limit_cents - used_cents, 0)
