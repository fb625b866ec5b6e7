"""Adaptive eth_getLogs span for backfills: shrink on a provider's refusal, grow back after calm. Pure state."""

from __future__ import annotations

from indexer.rpc.limits import RangeAdvice


class AdaptiveRange:
    """The number of blocks to ask for next, always within [min_span, ceiling] where ceiling <= max_span.

    A provider's stated cap (`advice.max_span`) lowers the ceiling for good; a suggested end block is a one-off
    hint (it depends on how dense the logs were there), so growth may later pass it again, up to the ceiling.
    """

    def __init__(
        self,
        max_span: int,
        min_span: int = 1,
        initial_span: int | None = None,
        calm_successes: int = 3,
        growth: int = 2,
    ) -> None:
        if not 1 <= min_span <= max_span:
            raise ValueError(f"need 1 <= min_span ({min_span}) <= max_span ({max_span})")
        if calm_successes < 1 or growth < 2:
            raise ValueError("calm_successes must be >= 1 and growth >= 2")
        self.min_span = min_span
        self.max_span = max_span
        self.ceiling = max_span
        self.calm_successes = calm_successes
        self.growth = growth
        self.span = max(min_span, min(initial_span or max_span, max_span))
        self._calm = 0

    def next_span(self) -> int:
        return self.span

    @property
    def at_minimum(self) -> bool:
        """True when a further refusal cannot shrink the span: the caller must give up or change provider."""
        return self.span <= self.min_span

    def on_success(self) -> None:
        self._calm += 1
        if self._calm >= self.calm_successes:
            self._calm = 0
            self.span = min(self.ceiling, self.span * self.growth)

    def on_limit(self, advice: RangeAdvice | None, tried_span: int) -> int:
        """Shrink after `tried_span` blocks were refused; returns the new span (never larger than before)."""
        self._calm = 0
        tried = max(1, tried_span)
        if advice is not None and advice.max_span:
            self.ceiling = max(self.min_span, min(self.ceiling, advice.max_span))
        candidate = tried // 2  # no usable hint: halve what failed
        if advice is not None:
            if advice.suggested_span and advice.suggested_span < tried:
                candidate = advice.suggested_span
            elif advice.max_span and advice.max_span < tried:
                candidate = advice.max_span
        # Smaller than what failed (progress), never above the previous span or the ceiling, never below min.
        self.span = max(self.min_span, min(candidate, tried - 1, self.span, self.ceiling))
        return self.span
