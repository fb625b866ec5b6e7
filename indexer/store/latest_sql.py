"""SQL for last-writer state: the KYC allowlist, pause flags and role members (newest event per key wins)."""

from __future__ import annotations

from collections.abc import Mapping

import psycopg

from indexer.fold import Latest, RoleKey
from indexer.store.events_sql import latest_events

# The WHERE keeps an older event (a replay) from overwriting a newer one.
NEWER = "WHERE (EXCLUDED.block_number, EXCLUDED.log_index) > ({t}.block_number, {t}.log_index)"


def upsert_allowlist(cur: psycopg.Cursor, chain_id: int, latest: Mapping[str, Latest]) -> None:
    if latest:
        cur.executemany(
            "INSERT INTO allowlist (chain_id, account, allowed, block_number, log_index) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (chain_id, account) DO UPDATE SET allowed = EXCLUDED.allowed, "
            "block_number = EXCLUDED.block_number, log_index = EXCLUDED.log_index " + NEWER.format(t="allowlist"),
            [(chain_id, account, *v) for account, v in latest.items()],
        )


def upsert_pauses(cur: psycopg.Cursor, chain_id: int, latest: Mapping[str, Latest]) -> None:
    if latest:
        cur.executemany(
            "INSERT INTO pause_states (chain_id, contract, paused, block_number, log_index) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (chain_id, contract) DO UPDATE SET paused = EXCLUDED.paused, "
            "block_number = EXCLUDED.block_number, log_index = EXCLUDED.log_index " + NEWER.format(t="pause_states"),
            [(chain_id, contract, *v) for contract, v in latest.items()],
        )


def upsert_roles(cur: psycopg.Cursor, chain_id: int, latest: Mapping[RoleKey, Latest]) -> None:
    if latest:
        cur.executemany(
            "INSERT INTO role_members (chain_id, contract, role, account, granted, block_number, log_index) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (chain_id, contract, role, account) DO UPDATE SET "
            "granted = EXCLUDED.granted, block_number = EXCLUDED.block_number, log_index = EXCLUDED.log_index "
            + NEWER.format(t="role_members"),
            [(chain_id, *key, *v) for key, v in latest.items()],
        )


# ----- undo: recompute the touched keys from the events that remain ---------------------------------


def recompute_allowlist(cur: psycopg.Cursor, chain_id: int, accounts: list[str]) -> None:
    if not accounts:
        return
    cur.execute("DELETE FROM allowlist WHERE chain_id = %s AND account = ANY(%s)", (chain_id, accounts))
    rows = latest_events(cur, chain_id, ["AllowlistUpdated"], "args->>'account'", accounts)
    upsert_allowlist(cur, chain_id, {k: (bool(args["allowed"]), n, i) for k, _name, args, n, i in rows})


def recompute_pauses(cur: psycopg.Cursor, chain_id: int, contracts: list[str]) -> None:
    if not contracts:
        return
    cur.execute("DELETE FROM pause_states WHERE chain_id = %s AND contract = ANY(%s)", (chain_id, contracts))
    rows = latest_events(cur, chain_id, ["Paused", "Unpaused"], "contract", contracts)
    upsert_pauses(cur, chain_id, {k: (name == "Paused", n, i) for k, name, _args, n, i in rows})


def recompute_roles(cur: psycopg.Cursor, chain_id: int, keys: list[RoleKey]) -> None:
    if not keys:
        return
    joined = ["|".join(k) for k in keys]
    cur.execute(
        "DELETE FROM role_members WHERE chain_id = %s AND contract || '|' || role || '|' || account = ANY(%s)",
        (chain_id, joined),
    )
    key_sql = "contract || '|' || (args->>'role') || '|' || (args->>'account')"
    rows = latest_events(cur, chain_id, ["RoleGranted", "RoleRevoked"], key_sql, joined)
    upsert_roles(
        cur,
        chain_id,
        {tuple(k.split("|")): (name == "RoleGranted", n, i) for k, name, _a, n, i in rows},  # type: ignore[misc]
    )
