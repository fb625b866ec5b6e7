"""SQL for `chain_deployments`: the contracts a chain's mirror was built from, one row per contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import psycopg


class RecordedContract(NamedTuple):
    contract_name: str
    address: str  # lowercase
    deploy_block: int
    tx_hash: str


def lock_deployment(cur: psycopg.Cursor, chain_id: int) -> None:
    """Serialize every writer of one chain's record until commit (two indexers starting on an empty mirror)."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtext('chain_deployments'), %s::int)", (chain_id % 2**31,))


def read_deployment(cur: psycopg.Cursor, chain_id: int) -> list[RecordedContract]:
    cur.execute(
        """SELECT contract_name, lower(address), deploy_block, tx_hash FROM chain_deployments
           WHERE chain_id = %s ORDER BY contract_name""",
        (chain_id,),
    )
    return [RecordedContract(*row) for row in cur.fetchall()]


def replace_deployment(cur: psycopg.Cursor, chain_id: int, contracts: Sequence[RecordedContract]) -> None:
    cur.execute("DELETE FROM chain_deployments WHERE chain_id = %s", (chain_id,))
    cur.executemany(
        """INSERT INTO chain_deployments (chain_id, contract_name, address, deploy_block, tx_hash)
           VALUES (%s, %s, %s, %s, %s)""",
        [(chain_id, *c) for c in contracts],
    )


def foreign_event_exists(cur: psycopg.Cursor, chain_id: int, addresses: Sequence[str]) -> bool:
    """Whether the mirror holds an event of a contract outside `addresses` (lowercase)."""
    cur.execute(
        "SELECT EXISTS (SELECT 1 FROM chain_events WHERE chain_id = %s AND NOT (lower(contract) = ANY(%s)))",
        (chain_id, list(addresses)),
    )
    row = cur.fetchone()
    return bool(row and row[0])
