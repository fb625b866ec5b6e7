"""The transaction manager as a process of its own, for the crash tests: `python -m tests.relayer.tx.manager_process`
with DATABASE_URL and RPC_URL set (and TERRA_RELAYER_CRASH_AT to die at a step). It recovers, then ticks until the
minter has nothing queued, signed or broadcast, and exits 0."""

from __future__ import annotations

import os
import sys
import time

from core.chain.accounts import LOCAL_RELAYER, anvil_account
from core.chain.connection import connect
from core.db.engine import make_engine, make_session_factory, sqlalchemy_url
from relayer.tx.manager import TransactionManager
from relayer.tx.repository import transactions_of
from relayer.tx.settings import TxSettings
from relayer.tx.states import UNFINISHED


def main() -> int:
    engine = make_engine(sqlalchemy_url(os.environ["DATABASE_URL"]))
    sessions = make_session_factory(engine)
    signer = anvil_account(LOCAL_RELAYER)
    mgr = TransactionManager(sessions, connect(os.environ["RPC_URL"]), signer, TxSettings(replace_after=3600.0))
    mgr.recover()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        mgr.tick()
        with sessions() as session:
            if all(t.status not in UNFINISHED for t in transactions_of(session, signer.address)):
                return 0
        time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main())
