"""Announce what a batch (or an undo) changed: `pg_notify('terra_index', ...)` inside the store's transaction, so
PostgreSQL delivers it at commit, to every listener, and never for a batch that rolled back."""

from __future__ import annotations

import psycopg

from core.db.notify import INDEX_CHANNEL, IndexChange, index_payload
from indexer.fold import Effects


def touched(chain_id: int, from_block: int, to_block: int, block_hash: str, kind: str, fx: Effects) -> IndexChange:
    """Addresses whose balances or frozen amounts moved, and projects whose project-wide state changed. Pure."""
    addresses = {holder for (_project, holder), delta in fx.balance_deltas.items() if delta}
    addresses |= {account for (_project, account) in fx.frozen}
    projects = {p.project_id for p in fx.projects}
    projects |= {e.project_id for e in fx.exits} | {d.project_id for d in fx.distributions}
    return IndexChange(chain_id, from_block, to_block, block_hash, kind, frozenset(addresses), frozenset(projects))


def notify(cur: psycopg.Cursor, change: IndexChange) -> None:
    """Nothing when nothing a reader shows moved (a quiet block, an allowlist or role change)."""
    if change.everything or change.addresses or change.projects:
        cur.execute("SELECT pg_notify(%s, %s)", (INDEX_CHANNEL, index_payload(change)))
