"""Revision 0014 starts notifications from the moment it is applied: history from before is not news, so a
deployment does not email every past investor at once."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.db.engine import make_engine
from core.db.migrate import alembic_config, upgrade
from tests.core.db.test_migrations import empty_database  # noqa: F401 - the fixture

H = "0x" + "ab" * 32


def test_the_cursor_and_subjects_start_past_what_existed_before(empty_database: str) -> None:  # noqa: F811
    before = ScriptDirectory.from_config(alembic_config(empty_database)).get_revision("0014").down_revision
    assert isinstance(before, str)
    upgrade(empty_database, before)
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO investments (id, chain_id, investor_wallet, project_id, amount_cents, method,"
                    " payment_ref, status) VALUES (gen_random_uuid(), 1, :w, 1, 1000, 'crypto', :h, 'completed')"
                ),
                {"w": "0x" + "11" * 20, "h": H},
            )
            conn.execute(
                text(
                    "INSERT INTO investment_status_history (investment_id, to_status, cause)"
                    " SELECT id, s, 'old' FROM investments, unnest(ARRAY['pending_payment', 'completed']) AS s"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO chain_distributions (chain_id, project_id, distribution_id, total_amount, merkle_root,"
                    " snapshot_block, block_number, block_hash, tx_hash, log_index, block_time, final)"
                    " VALUES (1, 1, 1, 100, :h, 1, 2, :h, :h, 0, now(), true)"
                ),
                {"h": H},
            )
        upgrade(empty_database, "0014")
        with engine.connect() as conn:
            newest = conn.execute(text("SELECT max(id) FROM investment_status_history")).scalar()
            position = conn.execute(text("SELECT position FROM notification_cursors")).scalar()
            subjects = conn.execute(text("SELECT subject FROM notification_subjects")).scalars().all()
        assert position == newest == 2
        assert subjects == [f"1:1:1:{H}"]
    finally:
        engine.dispose()
