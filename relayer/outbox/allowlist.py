"""The pass that puts KYC-verified card payers' custodial addresses on the allowlist: the API records the approval
and the custodial account's row, but only the relayer holds the seed the address derives from. Each account is
derived once (`Custody.address`) and its `allow` intent queued in the same transaction; the compliance pass sends it."""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session, sessionmaker

from core.compliance import queue_allow
from relayer.custody import Custody
from relayer.payments import repository as repo

log = structlog.get_logger("relayer.worker")


def allow_verified_custodial(sf: sessionmaker[Session], custody: Custody, limit: int = 200) -> int:
    with sf.begin() as session:
        accounts = repo.custodial_accounts_to_allow(session, limit)
        for account in accounts:
            if account.address is None:
                account.address = custody.address(account.account_index)
            queue_allow(session, account.address)
        if accounts:
            log.info("custodial_addresses_allowed", count=len(accounts))
        return len(accounts)
