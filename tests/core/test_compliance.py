"""The compliance intents' `ON CONFLICT ... WHERE kind = ...` upserts keep working once psycopg prepares them
(from the 6th execution on one connection): a bound parameter in the conflict target's predicate cannot be matched
to the partial unique index by a prepared statement, and every later pass on that connection failed."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.compliance import queue_allow
from core.db.engine import make_engine, make_session_factory
from core.models.payments import ComplianceIntent


def test_allow_intents_are_upserted_past_the_prepare_threshold_once_each(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        accounts = [f"0x{uuid.uuid4().hex}{i:08x}" for i in range(12)]
        with sessions.begin() as session:
            for account in accounts + accounts:  # 24 executions on one connection, each account twice
                queue_allow(session, account)
        with sessions() as session:
            count = session.scalar(
                select(func.count()).where(ComplianceIntent.kind == "allow", ComplianceIntent.account.in_(accounts))
            )
        assert count == len(accounts)
    finally:
        engine.dispose()
