"""Is this replica ready for traffic? The rule is pure; the facts come from ops.repository."""

from __future__ import annotations

from typing import Any

from api.ops.repository import CheckpointAge


def index_check(age: CheckpointAge | None, max_age_seconds: float | None) -> tuple[bool, dict[str, Any]]:
    """(fresh enough, what to report). No limit configured: always fine (a dev chain that mines only on demand
    leaves the checkpoint old without anything being wrong)."""
    if max_age_seconds is None:
        return True, {"status": "not_checked"}
    if age is None:
        return False, {"status": "no_checkpoint"}
    report = {
        "chain_id": age.chain_id,
        "indexed_block": age.block_number,
        "checkpoint_age_seconds": round(age.age_seconds, 1),
        "max_age_seconds": max_age_seconds,
    }
    fresh = age.age_seconds <= max_age_seconds
    return fresh, {"status": "ok" if fresh else "lagging", **report}
