"""KYC-verified card payers' custodial addresses reach the allowlist through the relayer: the API leaves a
custodial account row without an address; the relayer's pass derives it, queues its allow intent, and the
compliance pass puts it on chain. Unverified users are left alone; a second pass finds nothing to do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from eth_account import Account
from sqlalchemy import text
from web3 import Web3

from api.kyc.providers.base import Check
from api.kyc.service import apply_decision
from core.models import KycRecord, User, UserWallet
from relayer.outbox import worker
from relayer.outbox.allowlist import allow_verified_custodial
from relayer.process import RelayerContext
from tests.relayer.support import Stack, wait_for


def user(stack: Stack, kyc_status: str, address: str | None = None) -> tuple[uuid.UUID, int]:
    """A user and the custodial account row the API writes on approval (address NULL until the relayer derives)."""
    with stack.engine.begin() as conn:
        user_id = conn.execute(text("INSERT INTO users (kyc_status) VALUES (:s) RETURNING id"), {"s": kyc_status})
        uid = user_id.scalar_one()
        index = conn.execute(
            text("INSERT INTO custodial_accounts (user_id, address) VALUES (:u, :a) RETURNING account_index"),
            {"u": uid, "a": address},
        ).scalar_one()
    return uid, index


def custodial_address(stack: Stack, user_id: uuid.UUID) -> str | None:
    ((address,),) = stack.sql("SELECT address FROM custodial_accounts WHERE user_id = :u", u=user_id)
    return address  # type: ignore[no-any-return]


def allow_intent(stack: Stack, address: str) -> list[tuple[str]]:
    return stack.sql("SELECT status FROM compliance_intents WHERE kind = 'allow' AND account = :a", a=address)


def allowed_on_chain(stack: Stack, address: str) -> bool:
    own = stack.chain.contracts.ownership
    return bool(own.functions.isAllowed(Web3.to_checksum_address(address)).call())


def send_until_allowed(stack: Stack, ctx: RelayerContext, address: str) -> bool:
    for _ in range(40):
        worker.drain_compliance_intents(ctx.sessions, ctx.chain)
        ctx.manager.tick()
        worker.follow_compliance_transactions(ctx.sessions, ctx.custody)
        if allowed_on_chain(stack, address):
            return True
    return False


def test_the_pass_derives_a_verified_users_custodial_address_and_queues_its_allowlist_entry(stack: Stack) -> None:
    with stack.driven() as ctx:
        verified, index = user(stack, "verified")
        pending, _ = user(stack, "pending")
        rejected, _ = user(stack, "rejected")
        assert allow_verified_custodial(ctx.sessions, ctx.custody) == 1
        address = custodial_address(stack, verified)
        assert address == ctx.custody.address(index)
        assert allow_intent(stack, address) == [("pending",)]
        assert custodial_address(stack, pending) is None and custodial_address(stack, rejected) is None
        assert allow_verified_custodial(ctx.sessions, ctx.custody) == 0  # nothing left: no second intent
        assert not allowed_on_chain(stack, address)
        assert send_until_allowed(stack, ctx, address)
        assert allow_intent(stack, address) in ([("submitted",)], [("done",)])


def test_an_address_derived_earlier_without_an_allow_intent_gets_one(stack: Stack) -> None:
    with stack.driven() as ctx:
        ((next_index,),) = stack.sql("SELECT coalesce(max(account_index), 0) + 1 FROM custodial_accounts")
        address = ctx.custody.address(next_index + 100)  # any derived address of ours, not yet allowed
        user_id, _ = user(stack, "verified", address)
        assert allow_intent(stack, address) == []
        assert allow_verified_custodial(ctx.sessions, ctx.custody) == 1
        assert custodial_address(stack, user_id) == address and allow_intent(stack, address) == [("pending",)]


def test_the_running_relayer_puts_a_newly_verified_users_custodial_address_on_chain(stack: Stack) -> None:
    user_id, index = user(stack, "verified")
    address = wait_for("the derived address", lambda: custodial_address(stack, user_id))
    wait_for("the allowlist entry on chain", lambda: allowed_on_chain(stack, address))
    assert allow_intent(stack, address) in ([("submitted",)], [("done",)])
    assert address == stack.sql("SELECT address FROM custodial_accounts WHERE account_index = :i", i=index)[0][0]


def test_an_approval_written_by_the_api_puts_wallet_and_custodial_address_on_chain(stack: Stack) -> None:
    """The API's own approval (api.kyc.service.apply_decision, in one transaction with its record) on the
    relayer's database: the running relayer allows the linked wallet and the derived custodial address."""
    wallet = Account.create().address.lower()
    with stack.sessions.begin() as session:
        account = User(kyc_status="submitted")
        session.add(account)
        session.flush()
        session.add(UserWallet(address=wallet, user_id=account.id, chain_id=stack.chain.w3.eth.chain_id))
        record = KycRecord(user_id=account.id, provider_applicant_id="app-1", provider_check_id=uuid.uuid4().hex)
        session.add(record)
        session.flush()
        check = Check(record.provider_check_id, "app-1", "complete", "clear")
        assert apply_decision(session, account, record, check, "verified", datetime.now(UTC)) == "applied"
        user_id = account.id
    wait_for("the wallet allowed on chain", lambda: allowed_on_chain(stack, wallet))
    address = wait_for("the derived address", lambda: custodial_address(stack, user_id))
    wait_for("the custodial address allowed on chain", lambda: allowed_on_chain(stack, address))
