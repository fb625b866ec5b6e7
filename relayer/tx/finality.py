"""Which block counts as final for the relayer: the RPC's `finalized` tag, or head minus a fixed depth where it has
none (the indexer's rule; the relayer keeps its own copy because services never import each other). Pure."""

from __future__ import annotations


def finalized_block(head: int, tagged: int | None, fallback_depth: int) -> int:
    """Never above the head; -1 when nothing is final yet."""
    candidate = tagged if tagged is not None else head - fallback_depth
    return max(min(candidate, head), -1)
