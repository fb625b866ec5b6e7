"""The distribution routes on the real stack pieces: anvil with the contracts, the indexer mirroring into
PostgreSQL, the API in-process. An admin records a distribution from the index; once it is on chain and funded a
wallet holder fetches the claim transaction from the API, signs and sends it, and the index shows it claimed;
custodial shares, other users' shares and closed or unfunded distributions are refused with their codes."""

from __future__ import annotations

import uuid

from eth_account.signers.local import LocalAccount
from sqlalchemy import text
from sqlalchemy.orm import Session
from web3 import Web3

from core.chain.transactions import send, transact
from tests.api.conftest import bearer
from tests.api.distributions.conftest import Stage, put_on_chain_and_fund


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
    with Session(stage.api.engine) as session:
        final = int(session.execute(text("SELECT finalized_block FROM chain_checkpoints")).scalar_one())
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


def test_returns_show_each_share_claimed_or_not_and_the_yield_on_principal(
    stage: Stage, admin: LocalAccount, minter: LocalAccount
) -> None:
    from core.distributions.returns import as_decimal, returns_of
    from core.investments import create_investment, set_status

    with Session(stage.api.engine) as session, session.begin():
        inv = create_investment(
            session, chain_id=31337, project_id=7, amount_cents=300_000, method="card", user_id=stage.custodial_user_id
        )
        for status in ("paid", "minting", "completed"):
            set_status(session, inv, status, cause="test: minted")
    d = stage.record(amount="1000.00").json()["data"]
    distributor = put_on_chain_and_fund(stage, d, admin, minter)
    wallet = stage.investors[0]
    with Session(stage.api.engine) as session:
        leaf = session.execute(
            text("SELECT amount_units, proof FROM user_distributions WHERE account = :a"), {"a": wallet.address.lower()}
        ).one()
    receipt = transact(
        stage.chain.w3, wallet, distributor.functions.claim(d["id"], wallet.address, int(leaf[0]), leaf[1])
    )
    stage.sync()
    with Session(stage.api.engine) as session:
        theirs = returns_of(session, stage.wallet_user_id)
        custodial = returns_of(session, stage.custodial_user_id)
    (share,) = theirs.shares
    assert share.amount_cents == 60_000 and share.claimed
    assert share.claim_tx_hash == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    assert theirs.claimed_cents == theirs.distributed_cents == 60_000 and theirs.yield_on_principal is None
    (mine,) = custodial.shares
    assert mine.account_kind == "custodial" and not mine.claimed and mine.amount_cents == 30_000
    (project,) = custodial.projects
    assert (project.principal_cents, project.distributed_cents, project.unclaimed_cents) == (300_000, 30_000, 30_000)
    assert as_decimal(custodial.yield_on_principal) == "0.100000"
    http = stage.api.client
    answer = http.get("/api/v1/returns", headers=bearer(stage.custodial_user_token))
    assert answer.status_code == 200, answer.text
    body = answer.json()["data"]
    (served,) = body["shares"]
    assert (served["amount_cents"], served["claimed"], served["account_kind"]) == (30_000, False, "custodial")
    assert body["summary"] == {
        "principal_cents": 300_000,
        "distributed_cents": 30_000,
        "claimed_cents": 0,
        "unclaimed_cents": 30_000,
        "yield_on_principal": "0.100000",
    }
    wallet_view = http.get("/api/v1/returns", headers=bearer(stage.wallet_user_token)).json()["data"]
    assert wallet_view["shares"][0]["claim_tx_hash"] == share.claim_tx_hash
    portfolio = http.get("/api/v1/portfolio", headers=bearer(stage.wallet_user_token)).json()["data"]
    assert portfolio["returns"]["claimed_cents"] == 60_000
