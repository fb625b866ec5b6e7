"""The transaction manager on the session anvil (snapshot per test) and the test database: order, replacement of
stuck transactions, reorgs, reverts, cancellation, nonce gaps."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.chain.ownership import Mint
from core.db.engine import make_session_factory
from core.models.relayer_transactions import RelayerTransactionAttempt
from relayer.tx.fees import GWEI
from relayer.tx.states import TxView
from tests.conftest import Chain
from tests.relayer.tx.support import (
    CAP,
    PROJECT,
    Clock,
    assert_each_mined_once,
    drive,
    enqueue_mints,
    manager,
    minted_once,
    new_mint,
    rpc,
    view,
    views,
)


def attempt_fees(engine: Engine, hashes: tuple[str, ...]) -> list[tuple[int, int]]:
    with make_session_factory(engine)() as session:
        found = {a.tx_hash: a for a in session.scalars(select(RelayerTransactionAttempt))}
    return [(int(found[h].max_fee_per_gas), int(found[h].max_priority_fee_per_gas)) for h in hashes]


def url_of(chain: Chain) -> str:
    return str(chain.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


def test_transactions_are_mined_in_nonce_order_each_once(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    mints = [new_mint(investors[i % 3].address, 100 + i) for i in range(6)]
    ids = enqueue_mints(clean_db, project.ownership, minter, mints)
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    rows = drive(mgr, clean_db)
    assert [r.id for r in sorted(rows, key=lambda r: r.nonce or 0)] == ids  # nonces in enqueue order
    blocks = [r.block_number or 0 for r in sorted(rows, key=lambda r: r.nonce or 0)]
    assert blocks == sorted(blocks)
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, mints)
    assert all(len(r.attempt_hashes) == 1 and r.gas_used for r in rows)


def test_a_stuck_transaction_is_replaced_with_higher_fees_same_id_and_mined(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    url = url_of(project)
    rpc(url, "evm_setAutomine", [False])
    clock = Clock()
    mint = new_mint(investors[0].address)
    [tx_id] = enqueue_mints(clean_db, project.ownership, minter, [mint])
    mgr = manager(clean_db, project.w3, minter, clock=clock, replace_after=60.0)
    mgr.recover()
    mgr.tick()
    first = view(clean_db, tx_id)
    assert first.status == "broadcast" and len(first.attempt_hashes) == 1
    mgr.tick()  # not yet past replace_after: left alone
    assert view(clean_db, tx_id).attempt_hashes == first.attempt_hashes
    clock.advance(61)
    mgr.tick()
    bumped = view(clean_db, tx_id)
    assert bumped.id == tx_id and bumped.nonce == first.nonce and len(bumped.attempt_hashes) == 2
    assert bumped.tx_hash == bumped.attempt_hashes[1] != first.tx_hash
    old, new = attempt_fees(clean_db, bumped.attempt_hashes)
    assert 8 * new[0] >= 9 * old[0] and 8 * new[1] >= 9 * old[1]
    pooled = project.w3.eth.get_transaction(bumped.attempt_hashes[1])  # type: ignore[arg-type]
    assert (pooled["maxFeePerGas"], pooled["maxPriorityFeePerGas"]) == new
    rpc(url, "evm_mine", [])
    rows = drive(mgr, clean_db)
    assert rows[0].tx_hash == bumped.attempt_hashes[1]
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, [mint])


def test_at_the_fee_cap_nothing_is_replaced_until_the_cap_is_raised(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    url = url_of(project)
    rpc(url, "anvil_setNextBlockBaseFeePerGas", [hex(100 * GWEI)])
    rpc(url, "evm_mine", [])  # base fee 100 gwei, above the cap: the node refuses the offer
    clock = Clock()
    mint = new_mint(investors[0].address)
    [tx_id] = enqueue_mints(clean_db, project.ownership, minter, [mint])
    capped = manager(clean_db, project.w3, minter, clock=clock, max_fee_per_gas=10 * GWEI)
    capped.recover()
    capped.tick()
    clock.advance(7200)
    capped.tick()
    stuck = view(clean_db, tx_id)
    assert stuck.status == "signed" and len(stuck.attempt_hashes) == 1  # at the cap: no replacement possible
    raised_cap = manager(clean_db, project.w3, minter, clock=clock, max_fee_per_gas=1000 * GWEI)
    raised_cap.recover()
    rows = drive(raised_cap, clean_db)
    assert len(rows[0].attempt_hashes) == 2
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, [mint])


def _reorg(url: str, how: str) -> None:
    if how == "rollback":
        rpc(url, "anvil_rollback", [1])  # the block is gone
    else:
        rpc(url, "anvil_reorg", [1, []])  # the block is replaced by one without our transaction


@pytest.mark.parametrize("how", ["rollback", "reorg"])
def test_a_mined_transaction_dropped_by_a_reorg_is_sent_again_and_mined_once(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount], how: str
) -> None:
    url = url_of(project)
    mint = new_mint(investors[1].address, 777)
    [tx_id] = enqueue_mints(clean_db, project.ownership, minter, [mint])
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    before = drive(mgr, clean_db)[0]
    assert before.status == "mined"
    rpc(url, "evm_setAutomine", [False])
    _reorg(url, how)
    assert not project.ownership.functions.paymentRefUsed(mint.payment_ref).call()
    mgr.tick()
    assert view(clean_db, tx_id).status == "broadcast"
    rpc(url, "evm_setAutomine", [True])
    rpc(url, "evm_mine", [])
    rows = drive(mgr, clean_db, done=lambda rows: rows[0].status == "mined")
    assert rows[0].id == tx_id and rows[0].tx_hash == before.tx_hash  # the same signed transaction, sent again
    # (its new block may even have the old block's hash: same parent, same transaction, same second on anvil)
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, [mint])


def test_a_reverted_mint_keeps_its_decoded_reason_and_is_never_retried(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    over = Mint(PROJECT, investors[0].address, CAP + 1, new_mint(investors[0].address).payment_ref)
    ok = new_mint(investors[0].address)
    ids = enqueue_mints(clean_db, project.ownership, minter, [over], gas_limit=300_000)  # no estimate: mined
    ids += enqueue_mints(clean_db, project.ownership, minter, [ok])
    mgr = manager(clean_db, project.w3, minter, replace_after=0.001)
    mgr.recover()
    drive(mgr, clean_db)
    for _ in range(3):
        mgr.tick()
    reverted, mined = view(clean_db, ids[0]), view(clean_db, ids[1])
    assert reverted.status == "reverted" and reverted.nonce == 0
    assert reverted.revert_reason == f"SupplyCapExceeded({PROJECT}, {CAP}, {CAP + 1})"
    assert reverted.revert_data is not None and reverted.revert_data.startswith("0x")
    assert len(reverted.attempt_hashes) == 1
    assert mined.status == "mined" and mined.nonce == 1
    assert project.w3.eth.get_transaction_count(minter.address, "latest") == 2


def test_a_call_refused_at_estimation_is_reverted_without_taking_a_nonce(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    unknown = new_mint(investors[0].address, project=999)
    ok = new_mint(investors[0].address)
    ids = enqueue_mints(clean_db, project.ownership, minter, [unknown, ok])
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    rows = drive(mgr, clean_db)
    refused = view(clean_db, ids[0])
    assert refused.status == "reverted" and refused.nonce is None and refused.attempt_hashes == ()
    assert refused.revert_reason == "UnknownProject(999)" and refused.is_final
    assert_each_mined_once(project.w3, [r for r in rows if r.id == ids[1]], minter.address)


def test_a_transaction_no_longer_needed_is_cancelled_without_a_nonce(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    mints = [new_mint(investors[0].address, 10 + i) for i in range(3)]
    ids = enqueue_mints(clean_db, project.ownership, minter, mints)
    asked: list[str] = []

    def still_needed(session: Session, tx: TxView) -> bool:
        asked.append(tx.status)
        return tx.id != ids[1]

    mgr = manager(clean_db, project.w3, minter, still_needed=still_needed)
    mgr.recover()
    rows = drive(mgr, clean_db)
    cancelled = view(clean_db, ids[1])
    assert cancelled.status == "cancelled" and cancelled.nonce is None and cancelled.attempt_hashes == ()
    assert asked == ["queued"] * 3
    assert_each_mined_once(project.w3, [r for r in rows if r.id != ids[1]], minter.address)
    assert minted_once(project.ownership, [mints[0], mints[2]])
    assert not project.ownership.functions.paymentRefUsed(mints[1].payment_ref).call()


def test_a_nonce_left_empty_by_a_dropped_foreign_transaction_is_filled(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    """The key used outside the manager (nonce 0 in the pool), the manager continues at 1; the pool then drops
    nonce 0: the manager fills it with a self-transfer instead of leaving nonce 1 jammed behind it."""
    url = url_of(project)
    rpc(url, "evm_setAutomine", [False])
    foreign = minter.sign_transaction(
        {
            "type": 2,
            "chainId": 31337,
            "nonce": 0,
            "to": minter.address,
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 10 * GWEI,
            "maxPriorityFeePerGas": GWEI,
        }
    )
    project.w3.eth.send_raw_transaction(foreign.raw_transaction)
    mint = new_mint(investors[0].address)
    [tx_id] = enqueue_mints(clean_db, project.ownership, minter, [mint], gas_limit=300_000)
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    mgr.tick()
    assert view(clean_db, tx_id).nonce == 1
    rpc(url, "anvil_dropTransaction", [foreign.hash.to_0x_hex()])
    rpc(url, "evm_setAutomine", [True])
    rows = drive(mgr, clean_db)
    filler = [r for r in rows if r.id != tx_id]
    assert [(r.purpose, r.nonce, r.status) for r in filler] == [("nonce_filler", 0, "cancelled")]
    assert view(clean_db, tx_id).status == "mined"
    assert project.w3.eth.get_transaction_count(minter.address, "latest") == 2
    assert minted_once(project.ownership, [mint])


def test_stuck_transactions_lists_the_unfinished_past_the_deadline(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    from datetime import UTC, datetime, timedelta

    from relayer.tx.repository import stuck_transactions

    rpc(url_of(project), "evm_setAutomine", [False])
    [waiting] = enqueue_mints(clean_db, project.ownership, minter, [new_mint(investors[0].address)])
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    mgr.tick()
    with make_session_factory(clean_db)() as session:
        now = datetime.now(UTC)
        assert [t.id for t in stuck_transactions(session, now + timedelta(hours=1), timedelta(minutes=15))] == [waiting]
        assert stuck_transactions(session, now, timedelta(minutes=15)) == []
    assert views(clean_db, minter.address)[0].status == "broadcast"


def test_a_receipt_counts_after_its_confirmations_and_becomes_final_past_the_finalized_block(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    url = url_of(project)
    over = Mint(PROJECT, investors[0].address, CAP + 1, new_mint(investors[0].address).payment_ref)
    [reverts] = enqueue_mints(clean_db, project.ownership, minter, [over], gas_limit=300_000)
    [mints] = enqueue_mints(clean_db, project.ownership, minter, [new_mint(investors[0].address)])
    mgr = manager(clean_db, project.w3, minter, confirmations=3)
    mgr.recover()
    mgr.tick()  # both sent and mined at once (automine), with one confirmation each
    mgr.tick()
    assert [view(clean_db, i).status for i in (reverts, mints)] == ["broadcast", "broadcast"]
    rpc(url, "anvil_mine", [hex(2)])
    mgr.tick()
    assert [view(clean_db, i).status for i in (reverts, mints)] == ["reverted", "mined"]
    assert not any(view(clean_db, i).is_final for i in (reverts, mints))
    finalized = project.w3.eth.get_block("finalized")["number"]
    assert finalized < (view(clean_db, mints).block_number or 0)
    rpc(url, "anvil_mine", [hex(70)])  # anvil's `finalized` trails its head by 64 blocks
    mgr.tick()
    done = [view(clean_db, i) for i in (reverts, mints)]
    assert [v.status for v in done] == ["reverted", "final"]
    assert all(v.is_final and v.final_at is not None for v in done)


def test_a_nonce_taken_by_a_transaction_not_ours_marks_ours_dropped_and_the_queue_goes_on(
    project: Chain, clean_db: Engine, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    url = url_of(project)
    rpc(url, "evm_setAutomine", [False])
    lost, after = new_mint(investors[0].address), new_mint(investors[1].address)
    [first] = enqueue_mints(clean_db, project.ownership, minter, [lost])
    mgr = manager(clean_db, project.w3, minter)
    mgr.recover()
    mgr.tick()
    assert view(clean_db, first).status == "broadcast"
    foreign = minter.sign_transaction(
        {
            "type": 2,
            "chainId": 31337,
            "nonce": 0,
            "to": minter.address,
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 1000 * GWEI,
            "maxPriorityFeePerGas": 500 * GWEI,
        }
    )
    project.w3.eth.send_raw_transaction(foreign.raw_transaction)  # replaces ours in the pool
    rpc(url, "evm_mine", [])
    [second] = enqueue_mints(clean_db, project.ownership, minter, [after])
    rpc(url, "evm_setAutomine", [True])
    drive(mgr, clean_db)
    assert (view(clean_db, first).status, view(clean_db, first).nonce) == ("dropped", 0)
    assert (view(clean_db, second).status, view(clean_db, second).nonce) == ("mined", 1)
    assert not project.ownership.functions.paymentRefUsed(lost.payment_ref).call()
    assert minted_once(project.ownership, [after])


def test_a_self_transfer_cancel_in_a_block_is_not_final_until_its_block_is() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    now = datetime.now(UTC)
    base = TxView(uuid4(), "0xa", "0xa", "nonce_filler", "cancelled", 3, "0x1", ("0x1",), 9, "0xb", 21_000, None,
                  None, now, now, now, now, now, None)  # fmt: skip
    assert not base.is_final
    assert TxView(**{**base.__dict__, "final_at": now}).is_final
    assert TxView(**{**base.__dict__, "nonce": None, "block_number": None}).is_final
