"""The stage of the distribution and exit route tests: anvil with a project held by three investors (a linked
wallet, a custodial address, an address nobody on the platform owns), indexed into PostgreSQL, and the API."""

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

from core.chain.abis import DISTRIBUTOR, load_abi
from core.chain.transactions import transact
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
    wallet_user_id: uuid.UUID
    custodial_user_id: uuid.UUID

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
        yield Stage(
            api, chain, sync, project_id, admin_token, wallet_token, custodial_token, investors,
            uuid.UUID(wallet_user["id"]), uuid.UUID(custodial_user["id"]),
        )  # fmt: skip


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
