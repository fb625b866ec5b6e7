"""The store announces what each committed batch or undo touched on `terra_index`: delivered at commit (never for
a rolled-back batch), with the addresses and projects that moved, and `all` when they would not fit a payload."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from core.db.engine import make_session_factory
from core.db.notify import INDEX_CHANNEL, MAX_PAYLOAD_BYTES, IndexChange, index_payload, parse_index_payload
from indexer.store import apply_live_batch, reset_chain, undo_above
from tests.indexer.synthetic import (
    CHAIN_ID,
    HOLDERS,
    SyntheticChain,
    allowlisted,
    created,
    distributed,
    exited,
    frozen,
    minted,
    ref,
    transfer,
)

A, B, C, D = HOLDERS[:4]
PATIENCE_SECONDS = 10.0  # a bound on waiting for a notification that must come, not a speed figure


@pytest.fixture
def listen(database_url: str) -> Iterator[psycopg.Connection]:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {INDEX_CHANNEL}")
        yield conn


def marker(engine: Engine, text: str) -> None:
    """A notification committed after everything before it: what arrives before the marker was sent before it."""
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT pg_notify(%s, %s)", (INDEX_CHANNEL, text))


def received(conn: psycopg.Connection) -> list[str]:
    """Every payload up to the marker `end` (sent by the caller just before)."""
    payloads: list[str] = []
    for note in conn.notifies(timeout=PATIENCE_SECONDS):
        if note.payload == "end":
            return payloads
        payloads.append(note.payload)
    raise AssertionError(f"the end marker did not arrive within {PATIENCE_SECONDS} s; got {payloads}")


def apply(engine: Engine, chain: SyntheticChain, first: int, last: int) -> None:
    with make_session_factory(engine).begin() as session:
        apply_live_batch(session, chain.batch(first, last))


def test_a_committed_batch_announces_the_addresses_and_projects_it_touched(
    clean_db: Engine, listen: psycopg.Connection
) -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000), created(2, 500), allowlisted(A, True)])
    chain.add_block([*minted(1, A, 10_000, ref(1)), transfer(A, B, 1, 2_000), frozen(C, 1, 5)])
    chain.add_block([allowlisted(D, True)])  # nothing a portfolio shows
    chain.add_block([distributed(1, 1, 99), exited(2, D)])
    apply(clean_db, chain, 1, 2)
    apply(clean_db, chain, 3, 3)
    apply(clean_db, chain, 4, 4)
    marker(clean_db, "end")
    first, second = (parse_index_payload(p) for p in received(listen))
    assert (first.chain_id, first.from_block, first.to_block, first.block_hash, first.kind) == (
        CHAIN_ID,
        1,
        2,
        chain.blocks[1].header.hash,
        "batch",
    )
    assert first.addresses == {A, B, C} and first.projects == {1, 2} and not first.everything
    assert (second.from_block, second.addresses, second.projects) == (4, frozenset(), {1, 2})


def test_a_rolled_back_batch_announces_nothing(clean_db: Engine, listen: psycopg.Connection) -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000), *minted(1, A, 10, ref(1))])
    session = make_session_factory(clean_db)()
    try:
        apply_live_batch(session, chain.batch(1, 1))
        session.rollback()
    finally:
        session.close()
    marker(clean_db, "end")
    assert received(listen) == []


def test_an_undo_announces_what_it_removed(clean_db: Engine, listen: psycopg.Connection) -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000)])
    chain.add_block([*minted(1, A, 10, ref(1)), frozen(B, 1, 3)])
    apply(clean_db, chain, 1, 2)
    with make_session_factory(clean_db).begin() as session:
        undo_above(session, CHAIN_ID, 1, chain.blocks[0].header.hash)
    with make_session_factory(clean_db).begin() as session:
        reset_chain(session, CHAIN_ID)
    marker(clean_db, "end")
    _batch, undo, reset = (parse_index_payload(p) for p in received(listen))
    assert (undo.kind, undo.from_block, undo.to_block, undo.addresses) == ("undo", 2, 2, {A, B})
    assert undo.block_hash == chain.blocks[0].header.hash
    assert (reset.kind, reset.everything) == ("reset", True)


def test_a_batch_touching_too_many_addresses_says_all(clean_db: Engine, listen: psycopg.Connection) -> None:
    many = ["0x" + f"{0xB000 + i:040x}" for i in range(400)]
    chain = SyntheticChain()
    chain.add_block([created(1, 1_000_000), *[e for i, h in enumerate(many) for e in minted(1, h, 1, ref(i))]])
    apply(clean_db, chain, 1, 1)
    marker(clean_db, "end")
    (payload,) = received(listen)
    change = parse_index_payload(payload)
    assert change.everything and change.touches([HOLDERS[5]], []) and change.to_block == 1


ADDRESSES = st.text("0123456789abcdef", min_size=40, max_size=40).map(lambda h: "0x" + h)


@given(
    addresses=st.frozensets(ADDRESSES, max_size=400),
    projects=st.frozensets(st.integers(0, 2**256 - 1), max_size=60),
    block=st.integers(0, 2**63 - 1),
)
def test_a_payload_always_fits_and_reads_back_as_the_change_or_all(
    addresses: frozenset[str], projects: frozenset[int], block: int
) -> None:
    change = IndexChange(CHAIN_ID, block, block, "0x" + "ab" * 32, "batch", addresses, projects)
    payload = index_payload(change)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES < 8000
    back = parse_index_payload(payload)
    assert back == change or (back.everything and back.to_block == block and not back.addresses)
    # Whatever the form, a listener holding any touched key is woken.
    for address in list(addresses)[:3]:
        assert back.touches([address], [])
