"""PostgreSQL NOTIFY channels the services talk on, and their payloads (pure): the indexer announces what a committed
batch touched on `terra_index`; investment status changes on `terra_investments` and changes of a user's addresses
on `terra_addresses` (triggers, migration 0015); API replicas LISTEN and push to the WebSockets of the users
concerned.

A payload must stay under PostgreSQL's 8000-byte limit: when the touched keys do not fit, it says `"all": true`
instead (every listener refreshes), which is always correct, only less precise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INDEX_CHANNEL = "terra_index"
INVESTMENTS_CHANNEL = "terra_investments"
ADDRESSES_CHANNEL = "terra_addresses"  # a user's custodial address was set or a wallet linked or unlinked
CHANNELS = (INDEX_CHANNEL, INVESTMENTS_CHANNEL, ADDRESSES_CHANNEL)

# PostgreSQL refuses payloads of 8000 bytes or more; keep a margin for the envelope keys.
MAX_PAYLOAD_BYTES = 7900


@dataclass(frozen=True)
class IndexChange:
    """What one committed indexer transaction touched. `everything`: too much to list (or a reset): assume all."""

    chain_id: int
    from_block: int
    to_block: int
    block_hash: str
    kind: str  # "batch" (new blocks), "undo" (a reorg or reindex removed blocks), "reset"
    addresses: frozenset[str]  # balances or frozen amounts changed (lowercase 0x hex)
    projects: frozenset[int]  # project-wide state changed: created, exited, a distribution recorded
    everything: bool = False

    def touches(self, addresses: Iterable[str], projects: Iterable[int]) -> bool:
        if self.everything:
            return True
        return not self.addresses.isdisjoint(addresses) or not self.projects.isdisjoint(projects)


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def index_payload(change: IndexChange) -> str:
    """The JSON text to NOTIFY: the full lists when they fit, `all` otherwise."""
    head: dict[str, Any] = {
        "chain_id": change.chain_id,
        "from_block": change.from_block,
        "to_block": change.to_block,
        "block_hash": change.block_hash,
        "kind": change.kind,
    }
    if not change.everything:
        full = head | {"addresses": sorted(change.addresses), "projects": [str(p) for p in sorted(change.projects)]}
        text = _dumps(full)
        if len(text.encode()) <= MAX_PAYLOAD_BYTES:
            return text
    return _dumps(head | {"all": True})


def parse_index_payload(text: str) -> IndexChange:
    """The inverse of index_payload; raises ValueError on a payload it cannot read (a listener then refreshes all)."""
    try:
        raw = json.loads(text)
        everything = bool(raw.get("all", False))
        return IndexChange(
            chain_id=int(raw["chain_id"]),
            from_block=int(raw["from_block"]),
            to_block=int(raw["to_block"]),
            block_hash=str(raw["block_hash"]),
            kind=str(raw["kind"]),
            addresses=frozenset(str(a).lower() for a in raw.get("addresses", ())),
            projects=frozenset(int(p) for p in raw.get("projects", ())),
            everything=everything,
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable {INDEX_CHANNEL} payload: {exc}") from exc


@dataclass(frozen=True)
class InvestmentChange:
    """Investments of these users / paying wallets changed status (or were created). `everything`: too many."""

    users: frozenset[str]  # user ids as text
    wallets: frozenset[str]
    everything: bool = False

    def touches(self, user_id: str, addresses: Iterable[str]) -> bool:
        return self.everything or user_id in self.users or not self.wallets.isdisjoint(addresses)


def parse_investments_payload(text: str) -> InvestmentChange:
    """What the triggers of migration 0015 send: `{"users": [...], "wallets": [...]}` (wallets may be absent) or
    `{"all": true}`."""
    try:
        raw = json.loads(text)
        return InvestmentChange(
            users=frozenset(str(u) for u in raw.get("users") or ()),
            wallets=frozenset(str(w).lower() for w in raw.get("wallets") or ()),
            everything=bool(raw.get("all", False)),
        )
    except (TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable {INVESTMENTS_CHANNEL} payload: {exc}") from exc
