"""The store against inputs the chain can really produce and RPCs can garble: a payment reference shared by two
payers, a project's metadata string that PostgreSQL text cannot hold, a hash that is not a hash."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_abi import encode
from sqlalchemy import Engine, text

from core.db.engine import make_session_factory
from indexer.batching import records_from_logs
from indexer.decode.decoder import topic0_of
from indexer.fold import fold
from indexer.store import Batch, apply_live_batch, apply_rendered_batch, undo_above
from indexer.store.render import render_batch
from indexer.types import RawLog
from tests.indexer.mirror_state import mirror_state
from tests.indexer.synthetic import CHAIN_ID, HOLDERS, OWNERSHIP, SyntheticChain, created, paid, ref
from tests.indexer.test_decode import ABI_EVENTS

A, B = HOLDERS[:2]


def apply(engine: Engine, batch: Batch, mode: str = "live") -> None:
    """Through either mode of the store: `live` folds the records in the writer, `rendered` as the backfill does."""
    with make_session_factory(engine).begin() as session:
        if mode == "live":
            apply_live_batch(session, batch)
        else:
            rendered = render_batch(batch.chain_id, batch.records, fold(batch.records), batch.finalized)
            apply_rendered_batch(session, batch, rendered)


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"c": CHAIN_ID}).all()]


@pytest.mark.parametrize("mode", ["live", "rendered"])
def test_two_payers_paying_under_one_reference_are_both_mirrored_and_undone(clean_db: Engine, mode: str) -> None:
    # PaymentRouter binds a reference to its payer: (payer, ref) is what is used up, so two payers may share a ref.
    chain = SyntheticChain()
    chain.add_block([created(1, 10**9)])
    chain.add_block([paid(ref(1), A, 1, 5_000_000)])
    chain.add_block([paid(ref(1), B, 1, 7_000_000)])
    apply(clean_db, chain.batch(1, 2), mode)
    before = mirror_state(clean_db, CHAIN_ID)
    apply(clean_db, chain.batch(3, 3), mode)
    payments = "SELECT payer, amount FROM chain_payments WHERE chain_id = :c AND payment_ref = '%s' ORDER BY payer"
    assert [(p, int(a)) for p, a in rows(clean_db, payments % ref(1))] == [(A, 5_000_000), (B, 7_000_000)]
    with make_session_factory(clean_db).begin() as session:
        undo_above(session, CHAIN_ID, 2, chain.blocks[1].header.hash)
    assert mirror_state(clean_db, CHAIN_ID) == before
    assert [p for p, _ in rows(clean_db, payments % ref(1))] == [A]


def _project_created_log(metadata: bytes, block: SyntheticChain) -> RawLog:
    header = block.blocks[0].header
    return RawLog(
        address=OWNERSHIP,
        topics=(topic0_of(ABI_EVENTS["ProjectCreated"]), "0x" + (1).to_bytes(32, "big").hex()),
        data="0x" + encode(["uint256", "bytes"], [1_000, metadata]).hex(),  # `string` and `bytes` share a layout
        block_number=1,
        block_hash=header.hash,
        transaction_hash="0x" + "cd" * 32,
        transaction_index=0,
        log_index=0,
    )


@pytest.mark.parametrize("mode", ["live", "rendered"])
@pytest.mark.parametrize(
    ("metadata", "stored"),
    [(b"bafy\x00evil", "bafy\ufffdevil"), (b"bafy\xff\xfe", "bafy\ufffd\ufffd"), (b"\xc3(", "\ufffd(")],
    ids=["nul-byte", "invalid-utf8", "truncated-sequence"],
)
def test_a_metadata_string_postgresql_cannot_hold_is_stored_sanitized_with_its_raw_bytes(
    clean_db: Engine, metadata: bytes, stored: str, mode: str
) -> None:
    chain = SyntheticChain()
    chain.add_block([])
    records = records_from_logs([_project_created_log(metadata, chain)], {1: chain.blocks[0].header})
    batch = replace(chain.batch(1, 1), records=records)
    apply(clean_db, batch, mode)
    assert rows(clean_db, "SELECT metadata_cid, metadata_cid_raw FROM chain_projects WHERE chain_id = :c") == [
        (stored, metadata)
    ]
    [(args,)] = rows(clean_db, "SELECT args FROM chain_events WHERE chain_id = :c")
    assert args["metadata_cid"] == stored and bytes.fromhex(args["metadata_cid_raw"][2:]) == metadata  # type: ignore[index]


def test_a_clean_metadata_string_keeps_no_raw_copy(clean_db: Engine) -> None:
    chain = SyntheticChain()
    chain.add_block([])
    records = records_from_logs([_project_created_log(b"bafkrei-ok", chain)], {1: chain.blocks[0].header})
    apply(clean_db, replace(chain.batch(1, 1), records=records))
    assert rows(clean_db, "SELECT metadata_cid, metadata_cid_raw FROM chain_projects WHERE chain_id = :c") == [
        ("bafkrei-ok", None)
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {"block_hash": "0x" + "ab" * 31 + "a\t"},  # a tab would split the COPY line
        {"block_hash": "0x" + "ab" * 32 + "\n1"},  # a newline would start a forged row
        {"tx_hash": "0xAB" + "ab" * 31},  # upper case: another text for the same hash, joins would miss it
        {"contract": "0x" + "0a" * 19},  # too short for an address
        {"log_index": "0\t1"},  # an int column holding a tab would shift every column after it
        {"block_time": "2026-01-15"},  # text where an aware datetime belongs
    ],
    ids=["tab", "newline", "uppercase", "short-address", "int-with-tab", "naive-time"],
)
def test_the_copy_renderer_refuses_a_value_that_is_not_what_its_column_holds(broken: dict[str, str]) -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 100), paid(ref(1), A, 1, 5)])
    records = [r._replace(**broken) for r in chain.batch(1, 1).records]
    with pytest.raises(ValueError, match="not a|hex"):
        render_batch(CHAIN_ID, records, fold(records), 0)


def test_a_payment_with_a_broken_payer_is_refused_before_copy() -> None:
    chain = SyntheticChain()
    chain.add_block([created(1, 100), paid(ref(1), A + "\t", 1, 5)])
    with pytest.raises(ValueError, match="payer"):
        render_batch(CHAIN_ID, chain.batch(1, 1).records, fold(chain.batch(1, 1).records), 0)
