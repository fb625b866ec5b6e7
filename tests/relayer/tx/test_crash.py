"""kill -9 of the transaction manager at each step (a subprocess with TERRA_RELAYER_CRASH_AT set), then a restart
in a new process: every transaction ends mined exactly once, with no nonce gap and no send beyond the stored ones.

Each crash is made certain, not hoped for: the first process must die by SIGKILL, or the test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.chain.paths import REPO_ROOT
from relayer.tx.faults import CRASH_ENV, CRASH_POINTS
from relayer.tx.states import TxView
from tests.conftest import Chain
from tests.relayer.tx.support import (
    assert_each_mined_once,
    drive,
    enqueue_mints,
    manager,
    minted_once,
    new_mint,
    rpc,
    views,
)


def run_manager(database_url: str, rpc_url: str, crash_at: str | None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV} | {"DATABASE_URL": database_url, "RPC_URL": rpc_url}
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "tests.relayer.tx.manager_process"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=180,
    )


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_a_manager_killed_at_each_step_and_restarted_mines_every_transaction_once(
    project: Chain,
    clean_db: Engine,
    database_url: str,
    minter: LocalAccount,
    investors: list[LocalAccount],
    crash_at: str,
) -> None:
    url = str(project.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    mints = [new_mint(investors[i].address, 500 + i) for i in range(3)]
    enqueue_mints(clean_db, project.ownership, minter, mints)
    crashed = run_manager(database_url, url, crash_at)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]
    restarted = run_manager(database_url, url, None)
    assert restarted.returncode == 0, restarted.stderr.decode()[-2000:]
    rows = views(clean_db, minter.address)
    assert len(rows) == 3 and all(len(r.attempt_hashes) == 1 for r in rows)
    assert_each_mined_once(project.w3, rows, minter.address)
    assert minted_once(project.ownership, mints)
    rpc(url, "evm_mine", [])


def test_a_signed_transaction_no_longer_needed_after_a_crash_gives_its_nonce_to_a_self_transfer(
    project: Chain, clean_db: Engine, database_url: str, minter: LocalAccount, investors: list[LocalAccount]
) -> None:
    """Killed after signing (maybe sent, maybe not); on recover the call is no longer needed: its nonce is still
    used, by a 0-value self-transfer replacing it at bumped fees, and the next call follows without a gap."""
    url = str(project.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    rpc(url, "evm_setAutomine", [False])  # whatever reached the pool stays there until mined
    unneeded, later = new_mint(investors[0].address), new_mint(investors[1].address)
    [first] = enqueue_mints(clean_db, project.ownership, minter, [unneeded])
    crashed = run_manager(database_url, url, "after_broadcast")
    assert crashed.returncode == -signal.SIGKILL
    [second] = enqueue_mints(clean_db, project.ownership, minter, [later])

    def still_needed(session: Session, tx: TxView) -> bool:
        return tx.id != first

    mgr = manager(clean_db, project.w3, minter, still_needed=still_needed)
    mgr.recover()
    mgr.tick()  # the self-transfer replaces the call in the pool
    rpc(url, "evm_setAutomine", [True])
    rpc(url, "evm_mine", [])
    rows = drive(mgr, clean_db)
    by_id = {r.id: r for r in rows}
    assert (by_id[first].status, by_id[first].nonce, len(by_id[first].attempt_hashes)) == ("cancelled", 0, 2)
    assert by_id[first].tx_hash == by_id[first].attempt_hashes[1]  # the self-transfer was mined, not the call
    assert (by_id[second].status, by_id[second].nonce) == ("mined", 1)
    assert not project.ownership.functions.paymentRefUsed(unneeded.payment_ref).call()
    assert minted_once(project.ownership, [later])
    assert project.w3.eth.get_transaction_count(minter.address, "latest") == 2
