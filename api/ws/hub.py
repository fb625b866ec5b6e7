"""The connected portfolio sockets of one API process, and which of them a notification concerns. Runs on the
event loop (no locks): the listener dispatches, each socket's own task builds and sends its update."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog

from core.db.notify import (
    ADDRESSES_CHANNEL,
    INDEX_CHANNEL,
    INVESTMENTS_CHANNEL,
    parse_index_payload,
    parse_investments_payload,
)

log = structlog.get_logger("api.ws")
MAX_CAUSES = 20  # updates coalesce while one is being built; the causes list says why, up to this many


@dataclass(eq=False)
class Subscriber:
    """One socket: its user, what its last update showed (the addresses and projects notifications are matched
    against), and the causes of the update it owes."""

    user_id: uuid.UUID
    addresses: frozenset[str] = frozenset()
    projects: frozenset[int] = frozenset()
    causes: list[dict[str, Any]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False
    # Until its first update is built, and while one is being built, the addresses and projects above may be out
    # of date (a read started before a commit that gave the user a new address or project): any change wakes it.
    building: bool = True

    def concerned(self, match: bool) -> bool:
        return match or self.building

    def poke(self, cause: dict[str, Any]) -> None:
        if len(self.causes) < MAX_CAUSES:
            self.causes.append(cause)
        self.wake.set()

    def take(self) -> list[dict[str, Any]]:
        causes, self.causes = self.causes, []
        self.wake.clear()
        return causes


class Hub:
    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self.dispatched = 0  # notifications handled so far, and the last one's payload (ops, tests)
        self.last_payload: str | None = None

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, user_id: uuid.UUID) -> Subscriber:
        """Registered before its first update is built, so nothing committed after that read is missed."""
        sub = Subscriber(user_id)
        self._subscribers.add(sub)
        sub.poke({"kind": "connected"})
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def dispatch(self, channel: str, payload: str) -> None:
        """Wake the sockets a notification concerns; an unreadable one wakes them all (never miss an update)."""
        self.dispatched += 1
        self.last_payload = payload
        try:
            if channel == INDEX_CHANNEL:
                change = parse_index_payload(payload)
                cause = {
                    "kind": "index",
                    "change": change.kind,
                    "chain_id": change.chain_id,
                    "from_block": change.from_block,
                    "to_block": change.to_block,
                    "block_hash": change.block_hash,
                }
                targets = [s for s in self._subscribers if s.concerned(change.touches(s.addresses, s.projects))]
            elif channel in (INVESTMENTS_CHANNEL, ADDRESSES_CHANNEL):
                moved = parse_investments_payload(payload)
                cause = {"kind": "investment" if channel == INVESTMENTS_CHANNEL else "addresses"}
                targets = [s for s in self._subscribers if s.concerned(moved.touches(str(s.user_id), s.addresses))]
            else:
                return
        except ValueError as exc:
            log.warning("unreadable_notification", channel=channel, error=str(exc))
            self.resync_all(f"unreadable {channel} notification")
            return
        for sub in targets:
            sub.poke(cause)

    def resync_all(self, reason: str) -> None:
        """Notifications may have been missed (the LISTEN connection was lost): everyone gets a fresh state."""
        for sub in self._subscribers:
            sub.poke({"kind": "resync", "reason": reason})

    def close_all(self) -> None:
        for sub in self._subscribers:
            sub.closing = True
            sub.wake.set()
