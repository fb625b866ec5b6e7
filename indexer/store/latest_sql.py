"""SQL for last-writer state: the KYC allowlist, pause flags, role members and frozen amounts (newest event per key
wins)."""

from __future__ import annotations

from collections.abc import Mapping

import psycopg

from indexer.fold import FrozenKey, RoleKey
from indexer.rows import Latest, LatestAmount
from indexer.store.events_sql import latest_events

# The WHERE keeps an older event (a replay) from overwriting a newer one.
NEWER = "WHERE (EXCLUDED.block_number, EXCLUDED.log_index) > ({t}.block_number, {t}.log_index)"


def _upsert(cur: psycopg.Cursor, table: str, keys: tuple[str, ...], value: str, rows: list[dict[str, object]]) -> None:
    """Insert or update last-writer rows: the key columns, then `value` with the event (block, log index) that set
    it."""
    columns = ("chain_id", *keys, value, "block_number", "log_index")
    cur.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(f'%({c})s' for c in columns)}) "
        f"ON CONFLICT (chain_id, {', '.join(keys)}) DO UPDATE SET {value} = EXCLUDED.{value}, "
        "block_number = EXCLUDED.block_number, log_index = EXCLUDED.log_index " + NEWER.format(t=table),
        rows,
    )


def _event(latest: Latest | LatestAmount) -> dict[str, object]:
    return {"block_number": latest.block_number, "log_index": latest.log_index}


def upsert_allowlist(cur: psycopg.Cursor, chain_id: int, latest: Mapping[str, Latest]) -> None:
    if latest:
        rows = [{"chain_id": chain_id, "account": a, "allowed": v.value, **_event(v)} for a, v in latest.items()]
        _upsert(cur, "chain_allowlist", ("account",), "allowed", rows)


def upsert_pauses(cur: psycopg.Cursor, chain_id: int, latest: Mapping[str, Latest]) -> None:
    if latest:
        rows = [{"chain_id": chain_id, "contract": c, "paused": v.value, **_event(v)} for c, v in latest.items()]
        _upsert(cur, "chain_pauses", ("contract",), "paused", rows)


def upsert_roles(cur: psycopg.Cursor, chain_id: int, latest: Mapping[RoleKey, Latest]) -> None:
    if latest:
        rows = [
            {"chain_id": chain_id, "contract": c, "role": r, "account": a, "granted": v.value, **_event(v)}
            for (c, r, a), v in latest.items()
        ]
        _upsert(cur, "chain_roles", ("contract", "role", "account"), "granted", rows)


def upsert_frozen(cur: psycopg.Cursor, chain_id: int, latest: Mapping[FrozenKey, LatestAmount]) -> None:
    if latest:
        rows = [
            {"chain_id": chain_id, "project_id": p, "account": a, "amount": v.amount, **_event(v)}
            for (p, a), v in latest.items()
        ]
        _upsert(cur, "chain_frozen", ("project_id", "account"), "amount", rows)


# ----- undo: recompute the touched keys from the events that remain ---------------------------------


def recompute_allowlist(cur: psycopg.Cursor, chain_id: int, accounts: list[str]) -> None:
    if not accounts:
        return
    cur.execute("DELETE FROM chain_allowlist WHERE chain_id = %s AND account = ANY(%s)", (chain_id, accounts))
    rows = latest_events(cur, chain_id, ["AllowlistUpdated"], "args->>'account'", accounts)
    upsert_allowlist(cur, chain_id, {e.key: Latest(bool(e.args["allowed"]), e.block_number, e.log_index) for e in rows})


def recompute_pauses(cur: psycopg.Cursor, chain_id: int, contracts: list[str]) -> None:
    if not contracts:
        return
    cur.execute("DELETE FROM chain_pauses WHERE chain_id = %s AND contract = ANY(%s)", (chain_id, contracts))
    rows = latest_events(cur, chain_id, ["Paused", "Unpaused"], "contract", contracts)
    upsert_pauses(cur, chain_id, {e.key: Latest(e.event_name == "Paused", e.block_number, e.log_index) for e in rows})


def _role_key(joined: str) -> RoleKey:
    contract, role, account = joined.split("|")
    return contract, role, account


def recompute_roles(cur: psycopg.Cursor, chain_id: int, keys: list[RoleKey]) -> None:
    if not keys:
        return
    joined = ["|".join(k) for k in keys]
    cur.execute(
        "DELETE FROM chain_roles WHERE chain_id = %s AND contract || '|' || role || '|' || account = ANY(%s)",
        (chain_id, joined),
    )
    key_sql = "contract || '|' || (args->>'role') || '|' || (args->>'account')"
    rows = latest_events(cur, chain_id, ["RoleGranted", "RoleRevoked"], key_sql, joined)
    upsert_roles(
        cur,
        chain_id,
        {_role_key(e.key): Latest(e.event_name == "RoleGranted", e.block_number, e.log_index) for e in rows},
    )


def recompute_frozen(cur: psycopg.Cursor, chain_id: int, keys: list[FrozenKey]) -> None:
    if not keys:
        return
    joined = [f"{p}|{a}" for p, a in keys]
    cur.execute(
        "DELETE FROM chain_frozen WHERE chain_id = %s AND project_id::text || '|' || account = ANY(%s)",
        (chain_id, joined),
    )
    rows = latest_events(cur, chain_id, ["Frozen"], "(args->>'project_id') || '|' || (args->>'account')", joined)
    latest = {
        (int(e.args["project_id"]), e.args["account"]): LatestAmount(int(e.args["amount"]), e.block_number, e.log_index)
        for e in rows
    }
    upsert_frozen(cur, chain_id, latest)
