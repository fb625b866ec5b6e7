"""Which block counts as final: the RPC's `finalized` tag, or head minus a fixed depth where it has none. Pure."""

from __future__ import annotations


def finalized_block(head: int, tagged: int | None, fallback_depth: int, previous: int = -1) -> int:
    """Never above the head, never below what was final before (finality does not go back; a chain that says
    otherwise is caught by the reorg check, which refuses to undo final blocks)."""
    candidate = tagged if tagged is not None else head - fallback_depth
    return max(previous, min(candidate, head), -1)
