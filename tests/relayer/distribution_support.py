"""Holders of a project on a relayer test stack and a distribution recorded for them from the index, as the API
and `terra distributions create` record one; and what the chain says of its claims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from eth_account import Account
from sqlalchemy import text
from sqlalchemy.orm import Session
from web3.contract import Contract

from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from core.distributions.record import DistributionRequest, PayoutToken, record_distribution
from core.models.catalogue import Project
from core.models.distributions import Distribution
from ipfs.cid import compute_cid
from tests.indexer.mirror_support import mine, rpc
from tests.relayer.support import CHAIN_ID, Stack, wait_for

FINALITY = 70  # blocks mined to put what came before below anvil's finalized tag


@dataclass
class Holders:
    token_id: int
    project_id: uuid.UUID  # the catalogue's
    custodial: list[str]  # lowercase addresses, one user each
    wallet: str  # an investor's own wallet (claims itself)
    snapshot: int


def make_holders(stack: Stack, token_id: int, custodial: int, units: int = 1_000) -> Holders:
    """Project `token_id` on chain with `custodial` custodial holders (fresh addresses, one user each) and one wallet
    holder, each minted `units` (+ its index, so that amounts differ), indexed and final; the catalogue rows."""
    chain = stack.chain
    own = chain.contracts.ownership
    transact(chain.w3, chain.admin, own.functions.createProject(token_id, 10**12, compute_cid(f"p{token_id}".encode())))
    addresses = [Account.create().address for _ in range(custodial)]
    wallet = chain.investors[0].address
    transact(chain.w3, chain.admin, own.functions.setAllowedBatch([*addresses, wallet], True))
    everyone = [*addresses, wallet]
    amounts = [units + i for i in range(len(everyone))]
    refs = [payment_ref(f"distribution-{token_id}-{i}") for i in range(len(everyone))]
    transact(
        chain.w3,
        chain.minter,
        own.functions.mintInvestmentBatch([token_id] * len(everyone), everyone, amounts, refs),
    )
    snapshot = int(chain.head()["number"], 16)
    mine(chain.url, FINALITY)
    wait_for("the snapshot final in the index", lambda: _finalized(stack) >= snapshot, timeout=90)
    with Session(stack.engine) as session, session.begin():
        now = datetime.now(UTC)
        project = Project(
            chain_id=CHAIN_ID,
            token_id=Decimal(token_id),
            name=f"Project {token_id}",
            technology="solar",
            target_cents=10**12,
            created_at=now,
            updated_at=now,
        )
        session.add(project)
        session.flush()
        for address in addresses:
            user_id = uuid.uuid4()
            session.execute(
                text("INSERT INTO users (id, email, country) VALUES (:id, :email, 'DE')"),
                {"id": user_id, "email": f"{user_id.hex[:10]}@example.org"},
            )
            session.execute(
                text("INSERT INTO custodial_accounts (user_id, address) VALUES (:u, :a)"),
                {"u": user_id, "a": address.lower()},
            )
        project_id = project.id
    return Holders(token_id, project_id, [a.lower() for a in addresses], wallet.lower(), snapshot)


def _finalized(stack: Stack) -> int:
    rows = stack.sql("SELECT finalized_block FROM chain_checkpoints WHERE chain_id = :c", c=CHAIN_ID)
    return int(rows[0][0]) if rows else -1


def payout_token(stack: Stack) -> PayoutToken:
    return PayoutToken(stack.chain.contracts.stablecoin.address.lower(), 6)


def record(
    stack: Stack, holders: Holders, total_cents: int, *, claim_period: timedelta = timedelta(days=365)
) -> Distribution:
    with Session(stack.engine, expire_on_commit=False) as session, session.begin():
        request = DistributionRequest(
            holders.project_id, total_cents, "quarterly", holders.snapshot, claim_period=claim_period
        )
        return record_distribution(session, request, payout_token(stack)).distribution


def fund_relayer(stack: Stack, units: int) -> None:
    """The local stablecoin's owner (the deployer) mints to the relayer, as `terra demo seed` does."""
    chain = stack.chain
    transact(chain.w3, chain.admin, chain.contracts.stablecoin.functions.mint(chain.minter.address, units))


def status(stack: Stack, distribution_id: int) -> str:
    return str(stack.sql("SELECT status FROM distributions WHERE id = :d", d=distribution_id)[0][0])


def wait_status(stack: Stack, distribution_id: int, wanted: str, timeout: float = 90) -> str:
    return wait_for(
        f"distribution {distribution_id} {wanted}",
        lambda: (s := status(stack, distribution_id)) == wanted and s,
        timeout,
    )


def chain_claims(stack: Stack, distribution_id: int) -> dict[str, int]:
    """account → number of Claimed events for it on chain (the chain, not the index)."""
    distributor = stack.chain.contracts.distributor
    assert distributor is not None
    topic = _topic(distributor, "Claimed")
    logs = rpc(
        stack.chain.url,
        "eth_getLogs",
        [
            {
                "fromBlock": "0x0",
                "toBlock": "latest",
                "address": distributor.address,
                "topics": [topic, "0x" + distribution_id.to_bytes(32, "big").hex()],
            }
        ],
    )
    counts: dict[str, int] = {}
    for entry in logs:
        account = "0x" + entry["topics"][2][-40:]
        counts[account] = counts.get(account, 0) + 1
    return counts


def _topic(contract: Contract, event: str) -> str:
    return "0x" + str(getattr(contract.events, event)().topic).removeprefix("0x")


def events_of(stack: Stack, contract: Contract | None, event: str) -> int:
    """How many `event` logs `contract` emitted on chain."""
    assert contract is not None
    logs = rpc(
        stack.chain.url,
        "eth_getLogs",
        [{"fromBlock": "0x0", "toBlock": "latest", "address": contract.address, "topics": [_topic(contract, event)]}],
    )
    return len(logs)
