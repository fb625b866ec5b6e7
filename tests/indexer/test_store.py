"""The store on a real PostgreSQL: one transaction per batch, harmless replays, exact undo."""

from __future__ import annotations

import pytest
from psycopg.errors import CheckViolation
from sqlalchemy import Engine, text

from core.db.engine import make_session_factory
from indexer.errors import StoreConflict
from indexer.fold import ZERO_ADDRESS
from indexer.store import Batch, apply_live_batch, undo_above
from tests.indexer.mirror_state import balances_consistent, mirror_state
from tests.indexer.synthetic import (
    CHAIN_ID,
    HOLDERS,
    OWNERSHIP,
    ROUTER,
    SyntheticChain,
    allowlisted,
    batch_transfer,
    created,
    distributed,
    exited,
    forced,
    frozen,
    minted,
    paid,
    paused,
    ref,
    role,
    transfer,
)

A, B, C = HOLDERS[:3]
ROLE = "0x" + "11" * 32


def apply(engine: Engine, batch: Batch) -> None:
    with make_session_factory(engine).begin() as session:
        apply_live_batch(session, batch)


def undo(engine: Engine, chain: SyntheticChain, number: int) -> None:
    with make_session_factory(engine).begin() as session:
        undo_above(session, CHAIN_ID, number, chain.blocks[number - 1].header.hash)


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), {"c": CHAIN_ID}).scalar()


def history() -> SyntheticChain:
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000), created(2, 500), allowlisted(A, True), allowlisted(B, True)])
    chain.add_block([*minted(1, A, 10_000, ref(1)), *minted(2, B, 300, ref(2)), paid(ref(3), C, 1, 5_000_000)])
    chain.add_block(
        [transfer(A, B, 1, 2_500), batch_transfer(B, C, [1, 2], [500, 300]), role(OWNERSHIP, ROLE, C, True)]
    )
    chain.add_block([paused(ROUTER, True), allowlisted(B, False), distributed(1, 1, 777), exited(2, HOLDERS[5])])
    return chain


def test_a_batch_folds_every_event_into_the_derived_tables(clean_db: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 4))
    state = mirror_state(clean_db, CHAIN_ID)
    balances = {(int(p), h): int(b) for p, h, b in state["chain_balances"]}
    assert balances == {(1, A): 7_500, (1, B): 2_000, (1, C): 500, (2, C): 300}  # emptied rows go
    assert [(int(p), int(m), e) for p, _cap, m, _cid, _raw, e, *_ in state["chain_projects"]] == [
        (1, 10_000, False),
        (2, 300, True),
    ]
    assert {(int(p), n) for p, n in state["chain_holder_counts"]} == {(1, 3), (2, 1)}
    assert [r[0] for r in state["chain_mints"]] == sorted([ref(1), ref(2)])
    assert [r[0] for r in state["chain_payments"]] == [ref(3)]
    assert state["chain_allowlist"] == sorted([(A, True, 1, 2), (B, False, 4, 1)], key=repr)
    assert state["chain_pauses"] == [(ROUTER, True, 4, 0)]
    assert state["chain_roles"] == [(OWNERSHIP, ROLE, C, True, 3, 2)]
    assert len(state["chain_transfer_series"]) == 5 and len(state["chain_distributions"]) == 1
    assert state["chain_checkpoints"] == [(4, chain.blocks[3].header.hash, 0)]
    assert balances_consistent(clean_db, CHAIN_ID) == []


def test_replaying_a_batch_changes_nothing(clean_db: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 4))
    before = mirror_state(clean_db, CHAIN_ID)
    apply(clean_db, chain.batch(1, 4))
    apply(clean_db, chain.batch(2, 3))
    assert mirror_state(clean_db, CHAIN_ID) == before


def test_undo_then_reapply_equals_a_straight_apply(clean_db: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 4, finalized=1))
    straight = mirror_state(clean_db, CHAIN_ID)
    undo(clean_db, chain, 1)
    assert scalar(clean_db, "SELECT count(*) FROM chain_mints WHERE chain_id = :c") == 0
    assert scalar(clean_db, f"SELECT allowed FROM chain_allowlist WHERE chain_id = :c AND account = '{B}'") is True
    assert scalar(clean_db, "SELECT count(*) FROM chain_pauses WHERE chain_id = :c") == 0
    for n in range(2, 5):
        apply(clean_db, chain.batch(n, n, finalized=1))
    assert mirror_state(clean_db, CHAIN_ID) == straight


def test_undo_then_another_branch_equals_that_branch_applied_straight(clean_db: Engine, engine: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 4))
    undo(clean_db, chain, 2)
    chain.truncate(2)
    chain.add_block([transfer(A, C, 1, 1_000)], branch="b")
    chain.add_block([*minted(1, C, 42, ref(9)), paused(OWNERSHIP, True)], branch="b")
    apply(clean_db, chain.batch(3, 4))
    after_reorg = mirror_state(clean_db, CHAIN_ID)
    with make_session_factory(engine).begin() as session:
        session.execute(
            text(
                "TRUNCATE chain_events, chain_projects, chain_balances, chain_holder_counts, chain_allowlist, "
                "chain_pauses, chain_roles, chain_frozen, chain_mints, chain_payments, chain_distributions, "
                "chain_exits, chain_transfer_series, chain_mint_series, chain_payment_series, chain_blocks, "
                "chain_checkpoints"
            )
        )
    apply(clean_db, chain.batch(1, 4))
    assert mirror_state(clean_db, CHAIN_ID) == after_reorg
    assert balances_consistent(clean_db, CHAIN_ID) == []


def test_transfer_batch_with_many_ids_rolls_back_exactly(clean_db: Engine) -> None:
    ids = list(range(100, 300))
    chain = SyntheticChain()
    chain.add_block([created(i, 10_000) for i in ids])
    chain.add_block([transfer(ZERO_ADDRESS, A, i, 1_000 + i) for i in ids])
    apply(clean_db, chain.batch(1, 2))
    before = mirror_state(clean_db, CHAIN_ID)
    chain.add_block([batch_transfer(A, B, ids, [i for i in ids])])
    chain.add_block([batch_transfer(B, C, ids[::2], [1] * len(ids[::2]))])
    apply(clean_db, chain.batch(3, 4))
    assert scalar(clean_db, "SELECT count(*) FROM chain_transfer_series WHERE chain_id = :c") == 200 + 200 + 100
    undo(clean_db, chain, 2)
    assert mirror_state(clean_db, CHAIN_ID) == before
    assert balances_consistent(clean_db, CHAIN_ID) == []


def test_a_failing_batch_leaves_neither_rows_nor_checkpoint(clean_db: Engine) -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 100), *minted(1, A, 100, ref(1))])
    apply(clean_db, chain.batch(1, 1))
    before = mirror_state(clean_db, CHAIN_ID)
    chain.add_block([allowlisted(C, True), transfer(A, B, 1, 101)])  # more than A holds: the balance check refuses
    with pytest.raises(CheckViolation):
        apply(clean_db, chain.batch(2, 2))
    assert mirror_state(clean_db, CHAIN_ID) == before


def test_a_batch_leaving_a_gap_is_refused(clean_db: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 1))
    with pytest.raises(StoreConflict, match="gap"):
        apply(clean_db, chain.batch(3, 4))


def test_a_batch_on_another_branch_is_refused(clean_db: Engine) -> None:
    chain = history()
    apply(clean_db, chain.batch(1, 2))
    other = SyntheticChain(branch="b")
    other.add_block([])
    other.add_block([])
    other.add_block([allowlisted(C, True)])
    with pytest.raises(StoreConflict, match="another branch"):
        apply(clean_db, other.batch(3, 3))


def frozen_rows(engine: Engine) -> dict[tuple[int, str], tuple[int, int, int]]:
    """(project, account) -> (amount, block, log index) as chain_frozen holds them."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT project_id, account, amount, block_number, log_index FROM chain_frozen WHERE chain_id = :c"),
            {"c": CHAIN_ID},
        ).all()
    return {(int(p), a): (int(f), n, i) for p, a, f, n, i in rows}


def freeze_history() -> SyntheticChain:
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000), allowlisted(A, True), allowlisted(C, True), *minted(1, A, 1_000, ref(1))])
    chain.add_block([frozen(A, 1, 1_000), frozen(B, 1, 5)])  # B holds nothing: a freeze may exceed the balance
    chain.add_block([frozen(A, 1, 800), *forced(A, C, 1, 300, frozen_left=700)])  # newest event per key wins
    return chain


def test_frozen_amounts_are_the_newest_event_per_key_and_a_forced_transfer_moves_balances(clean_db: Engine) -> None:
    apply(clean_db, freeze_history().batch(1, 3))
    assert frozen_rows(clean_db) == {(1, A): (700, 3, 1), (1, B): (5, 2, 1)}
    state = mirror_state(clean_db, CHAIN_ID)
    assert {(int(p), h): int(b) for p, h, b in state["chain_balances"]} == {(1, A): 700, (1, C): 300}
    forced_events = "SELECT count(*) FROM chain_events WHERE chain_id = :c AND event_name = 'ForcedTransfer'"
    assert scalar(clean_db, forced_events) == 1
    assert balances_consistent(clean_db, CHAIN_ID) == []


def test_replaying_freezes_changes_nothing_and_an_older_one_never_overwrites(clean_db: Engine) -> None:
    chain = freeze_history()
    apply(clean_db, chain.batch(1, 3))
    before = mirror_state(clean_db, CHAIN_ID)
    apply(clean_db, chain.batch(2, 3))
    apply(clean_db, chain.batch(2, 2))
    assert mirror_state(clean_db, CHAIN_ID) == before


def test_undo_of_a_freeze_restores_the_one_before_and_removes_a_first_one(clean_db: Engine) -> None:
    chain = freeze_history()
    apply(clean_db, chain.batch(1, 2))
    at_two = mirror_state(clean_db, CHAIN_ID)
    apply(clean_db, chain.batch(3, 3))
    undo(clean_db, chain, 2)
    assert frozen_rows(clean_db) == {(1, A): (1_000, 2, 0), (1, B): (5, 2, 1)}
    assert mirror_state(clean_db, CHAIN_ID) == at_two
    undo(clean_db, chain, 1)
    assert frozen_rows(clean_db) == {}
