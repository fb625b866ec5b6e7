"""The distribution routes on the real stack pieces: anvil with the contracts, the indexer mirroring into
PostgreSQL, the API in-process. An admin records a distribution from the index; once it is on chain and funded a
wallet holder fetches the claim transaction from the API, signs and sends it, and the index shows it claimed;
custodial shares, other users' shares and closed or unfunded distributions are refused with their codes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from web3 import Web3

from core.chain.abis import DISTRIBUTOR, load_abi
from core.chain.transactions import send, transact
from core.models.catalogue import Project
from ipfs.cid import compute_cid
from terra.ops.settings import OperatorSettings
from tests.api.conftest import Api, bearer
from tests.conftest import Chain
from tests.indexer.mirror_support import indexer_settings, mine, sync_until_head

TOKEN = 7
CAP = 10_000_000
HOLDINGS = (600_000, 300_000, 100_000)  # investors 0 (a linked wallet), 1 (a custodial address), 2 (nobody's)


@dataclass
class Stage:
    api: Api
    chain: Chain
    sync: Any
    project_id: uuid.UUID
    admin_token: str
    wallet_user_token: str
    custodial_user_token: str
    investors: list[LocalAccount]

    def record(self, **body: Any) -> Any:
        values = {"project_id": str(self.project_id), "amount": "100.00", "distribution_type": "quarterly"} | body
        return self.api.client.post("/api/v1/admin/distributions", json=values, headers=bearer(self.admin_token))


@pytest.fixture
def stage(
    chain: Chain, clean_db: Engine, make_app: Any, database_url: str, test_settings: OperatorSettings,
    admin: LocalAccount, minter: LocalAccount, investors: list[LocalAccount],
) -> Iterator[Stage]:  # fmt: skip
    own = chain.ownership
    transact(chain.w3, admin, own.functions.createProject(TOKEN, CAP, compute_cid(b"distributed project")))
    transact(chain.w3, admin, own.functions.setAllowedBatch([i.address for i in investors[:3]], True))
    for n, (investor, amount) in enumerate(zip(investors, HOLDINGS, strict=False)):
        transact(chain.w3, minter, own.functions.mintInvestment(TOKEN, investor.address, amount, bytes([n + 1]) * 32))
    mine(test_settings.rpc_url, 70)
    settings = indexer_settings(database_url, test_settings.rpc_url, test_settings.deployments_path)

    def sync() -> None:
        sync_until_head(settings, clean_db)

    sync()
    app = make_app(deployments_dir=test_settings.deployments_path)
    with TestClient(app, base_url="https://testserver") as client:
        api = Api(client, clean_db)
        boss, admin_token = api.user_with_token()
        api.grant(boss["id"], "admin")
        wallet_user, wallet_token = api.user_with_token()
        custodial_user, custodial_token = api.user_with_token()
        now = datetime.now(UTC)
        with Session(clean_db) as session, session.begin():
            project = Project(
                chain_id=31337, token_id=Decimal(TOKEN), name="Windpark", technology="wind", target_cents=CAP,
                created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(project)
            session.flush()
            project_id = project.id
            session.execute(
                text("INSERT INTO user_wallets (address, user_id, kind, chain_id) VALUES (:a, :u, 'eoa', 31337)"),
                {"a": investors[0].address.lower(), "u": wallet_user["id"]},
            )
            session.execute(
                text("INSERT INTO custodial_accounts (user_id, address) VALUES (:u, :a)"),
                {"a": investors[1].address.lower(), "u": custodial_user["id"]},
            )
        yield Stage(api, chain, sync, project_id, admin_token, wallet_token, custodial_token, investors)


def put_on_chain_and_fund(stage: Stage, distribution: dict[str, Any], admin: LocalAccount, minter: LocalAccount) -> Any:
    """What the relayer does for a recorded distribution: the root through distributeReturns, then the funding."""
    chain, total = stage.chain, int(distribution["total_units"])
    root = bytes.fromhex(distribution["merkle_root"][2:])
    call = chain.ownership.functions.distributeReturns(
        TOKEN, distribution["id"], total, root, distribution["snapshot_block"]
    )
    transact(chain.w3, admin, call)
    distributor = chain.w3.eth.contract(address=chain.deployment.address(DISTRIBUTOR), abi=load_abi(DISTRIBUTOR))
    transact(chain.w3, admin, chain.stablecoin.functions.mint(minter.address, total))
    transact(chain.w3, minter, chain.stablecoin.functions.approve(distributor.address, total))
    deadline = chain.w3.eth.get_block("latest")["timestamp"] + 86_400
    transact(chain.w3, minter, distributor.functions.fund(TOKEN, distribution["id"], deadline))
    return distributor


def test_a_wallet_holder_claims_with_the_transaction_the_api_gives(
    stage: Stage, admin: LocalAccount, minter: LocalAccount
) -> None:
    recorded = stage.record(idempotency_key="q4")
    assert recorded.status_code == 201, recorded.text
    d = recorded.json()["data"]
    assert d["holder_count"] == 3 and d["total_cents"] == 10_000
    again = stage.record(idempotency_key="q4")
    assert again.status_code == 200 and again.json()["data"]["id"] == d["id"]

    wallet = stage.investors[0]
    client, headers = stage.api.client, bearer(stage.wallet_user_token)
    body = {"distribution_id": d["id"], "account": wallet.address}
    unfunded = client.post("/api/v1/distributions/claim", json=body, headers=headers)
    assert unfunded.status_code == 409 and unfunded.json()["error"]["code"] == "DISTRIBUTION_NOT_FUNDED"

    put_on_chain_and_fund(stage, d, admin, minter)
    stage.sync()
    proof = client.get(f"/api/v1/distributions/{d['id']}/proof", headers=headers).json()["data"]
    assert proof["account"] == wallet.address.lower() and proof["amount_cents"] == 6_000 and not proof["claimed"]

    answer = client.post("/api/v1/distributions/claim", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    tx = answer.json()["data"]["transaction"]
    w3 = stage.chain.w3
    before = stage.chain.stablecoin.functions.balanceOf(wallet.address).call()
    unsigned = {"to": Web3.to_checksum_address(tx["to"]), "data": tx["data"], "value": 0, "from": wallet.address}
    unsigned["gas"] = w3.eth.estimate_gas(unsigned)  # type: ignore[arg-type]
    receipt = send(w3, wallet, unsigned)
    assert stage.chain.stablecoin.functions.balanceOf(wallet.address).call() - before == 6_000 * 10**4

    stage.sync()
    claimed = client.get(f"/api/v1/distributions/{d['id']}/proof", headers=headers).json()["data"]
    assert claimed["claimed"] and claimed["claim_tx_hash"] == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    twice = client.post("/api/v1/distributions/claim", json=body, headers=headers)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "ALREADY_CLAIMED"

    custodial = stage.investors[1]
    theirs = client.post(
        "/api/v1/distributions/claim",
        json={"distribution_id": d["id"], "account": custodial.address},
        headers=bearer(stage.custodial_user_token),
    )
    assert theirs.status_code == 409 and theirs.json()["error"]["code"] == "CLAIMED_BY_PLATFORM"


def test_nobody_sees_another_users_share(stage: Stage) -> None:
    d = stage.record().json()["data"]
    other, token = stage.api.user_with_token()
    client = stage.api.client
    for account in (None, stage.investors[0].address, stage.investors[2].address):
        query = f"?account={account}" if account else ""
        seen = client.get(f"/api/v1/distributions/{d['id']}/proof{query}", headers=bearer(token))
        assert seen.status_code == 404 and seen.json()["error"]["code"] == "DISTRIBUTION_NOT_FOUND"
    mine = client.get(f"/api/v1/distributions/{d['id']}/proof", headers=bearer(stage.custodial_user_token))
    assert mine.status_code == 200 and mine.json()["data"]["account_kind"] == "custodial"
    assert client.get("/api/v1/distributions/999999/proof", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/distributions/{d['id']}/proof").status_code == 401


def test_recording_refusals_have_their_codes_and_write_nothing(stage: Stage) -> None:
    finalized = stage.api.client.app.state.sessions().execute(text("SELECT finalized_block FROM chain_checkpoints"))  # type: ignore[attr-defined]
    final = int(finalized.scalar())
    cases = [
        ({"amount": "0"}, 422, "DISTRIBUTION_TOTAL_NOT_POSITIVE"),
        ({"amount": "-5.00"}, 422, "DISTRIBUTION_TOTAL_NOT_POSITIVE"),
        ({"snapshot_block": final + 1}, 422, "SNAPSHOT_NOT_FINAL"),
        ({"snapshot_block": final + 10_000}, 422, "SNAPSHOT_IN_FUTURE"),
        ({"project_id": str(uuid.uuid4())}, 404, "PROJECT_NOT_FOUND"),
        ({"amount": "1.001"}, 422, "VALIDATION_ERROR"),
        ({"distribution_type": "monthly"}, 422, "VALIDATION_ERROR"),
    ]
    for body, status, code in cases:
        answer = stage.record(**body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (body, answer.text)
    with Session(stage.api.engine) as session:
        assert session.execute(text("SELECT count(*) FROM distributions")).scalar() == 0
    _, token = stage.api.user_with_token()
    denied = stage.api.client.post("/api/v1/admin/distributions", json={}, headers=bearer(token))
    assert denied.status_code == 403
