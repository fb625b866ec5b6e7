"""Migration 0015's trigger: every write of an investment's status history — core.investments, the relayer's bulk
statements — announces the users and paying wallets concerned on `terra_investments`, at commit only."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core.db.notify import INVESTMENTS_CHANNEL, parse_investments_payload
from core.investments import create_investment, set_status
from relayer.payments.repository import mark_minting

WALLET = "0x" + "ab" * 20
PATIENCE_SECONDS = 10.0  # a bound on waiting for the end marker, not a speed figure


@pytest.fixture
def listen(database_url: str) -> Iterator[psycopg.Connection]:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {INVESTMENTS_CHANNEL}")
        yield conn


def received(engine: Engine, conn: psycopg.Connection) -> list[dict[str, object]]:
    """Every payload committed before this call (an end marker is committed last and read up to)."""
    with engine.begin() as c:
        c.exec_driver_sql("SELECT pg_notify(%s, 'end')", (INVESTMENTS_CHANNEL,))
    payloads: list[dict[str, object]] = []
    for note in conn.notifies(timeout=PATIENCE_SECONDS):
        if note.payload == "end":
            return payloads
        payloads.append(json.loads(note.payload))
    raise AssertionError(f"no end marker within {PATIENCE_SECONDS} s")


def test_creation_and_each_status_change_are_announced_with_the_investor(
    clean_db: Engine, listen: psycopg.Connection
) -> None:
    user = uuid.uuid4()
    with Session(clean_db) as session, session.begin():
        card = create_investment(session, chain_id=1, project_id=1, amount_cents=1_000, method="card", user_id=user)
    with Session(clean_db) as session, session.begin():
        create_investment(session, chain_id=1, project_id=1, amount_cents=1_000, method="crypto", wallet=WALLET)
    with Session(clean_db) as session, session.begin():
        session.add(card)
        set_status(session, card, "paid", "test")
    created, crypto, paid = received(clean_db, listen)
    assert created == paid == {"users": [str(user)], "wallets": []}
    assert crypto == {"users": [], "wallets": [WALLET]}
    assert parse_investments_payload(json.dumps(paid)).touches(str(user), [])


def test_the_relayers_bulk_statement_is_announced_once_and_a_rollback_not_at_all(
    clean_db: Engine, listen: psycopg.Connection
) -> None:
    users = [uuid.uuid4() for _ in range(3)]
    with Session(clean_db) as session, session.begin():
        ids = [
            create_investment(session, chain_id=1, project_id=1, amount_cents=1_000, method="card", user_id=u).id
            for u in users
        ]
    received(clean_db, listen)  # the creations
    with Session(clean_db) as session:
        mark_minting(session, ids, "rolled back")
        session.rollback()
    with Session(clean_db) as session, session.begin():
        mark_minting(session, ids, "test")
    (bulk,) = received(clean_db, listen)
    assert sorted(bulk["users"]) == sorted(str(u) for u in users)  # type: ignore[arg-type]


def test_too_many_investors_for_one_payload_say_all(clean_db: Engine, listen: psycopg.Connection) -> None:
    with Session(clean_db) as session, session.begin():
        ids = [
            create_investment(
                session, chain_id=1, project_id=1, amount_cents=1_000, method="card", user_id=uuid.uuid4()
            ).id
            for _ in range(300)
        ]
    assert len(received(clean_db, listen)) == 300  # one statement each
    with Session(clean_db) as session, session.begin():
        mark_minting(session, ids, "test")  # one statement: 300 user ids of 39 bytes do not fit in 8000
    assert received(clean_db, listen) == [{"all": True}]
