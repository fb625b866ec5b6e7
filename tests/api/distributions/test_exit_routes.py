"""Exits through the API on the real stack pieces: the admin asks for the exit with an exit distribution, which is
recorded from the index at once; once on chain (as the relayer sends it) the project's tokens freeze, and every
holder reads a final statement (principal, distributions claimed or not, exit payout); the admin gets all of them
as CSV. A second exit, a bad DAO address and a statement before the exit are refused with their codes."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy.orm import Session

from core.chain.transactions import transact
from core.investments import create_investment, set_status
from tests.api.conftest import bearer
from tests.api.distributions.conftest import TOKEN, Stage, put_on_chain_and_fund
from tests.contracts.reverts import reverts_with

DAO = "0x000000000000000000000000000000000000da00"


def _invest(stage: Stage, user_id: uuid.UUID, cents: int) -> None:
    with Session(stage.api.engine) as session, session.begin():
        inv = create_investment(
            session, chain_id=31337, project_id=TOKEN, amount_cents=cents, method="card", user_id=user_id
        )
        for status in ("paid", "minting", "completed"):
            set_status(session, inv, status, cause="test: minted")


def test_an_exit_freezes_the_tokens_and_gives_each_holder_a_final_statement(
    stage: Stage, admin: LocalAccount, minter: LocalAccount
) -> None:
    client, admin_headers = stage.api.client, bearer(stage.admin_token)
    path = f"/api/v1/admin/projects/{stage.project_id}/exit"
    before = client.get(f"/api/v1/projects/{stage.project_id}/exit-statement", headers=bearer(stage.wallet_user_token))
    assert before.status_code == 409 and before.json()["error"]["code"] == "PROJECT_NOT_EXITED"
    _invest(stage, stage.custodial_user_id, 300_000)

    asked = client.post(path, json={"community_dao": DAO, "exit_amount": "2500.00"}, headers=admin_headers)
    assert asked.status_code == 202, asked.text
    exit_id = asked.json()["data"]["exit_distribution_id"]
    again = client.post(path, json={"community_dao": DAO}, headers=admin_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "PROJECT_ALREADY_EXITED"

    d = client.get(f"/api/v1/admin/distributions/{exit_id}", headers=admin_headers).json()["data"]
    assert d["distribution_type"] == "exit" and d["total_cents"] == 250_000
    put_on_chain_and_fund(stage, d, admin, minter)
    own = stage.chain.ownership
    transact(stage.chain.w3, minter, own.functions.exitProject(TOKEN, stage.chain.w3.to_checksum_address(DAO)))
    stage.sync()

    a, b = stage.investors[0], stage.investors[1]
    with reverts_with(own, "ProjectIsExited", TOKEN):
        transact(stage.chain.w3, a, own.functions.safeTransferFrom(a.address, b.address, TOKEN, 1, b""))
    assert own.functions.balanceOf(a.address, TOKEN).call() == 600_000  # still readable

    mine = client.get(f"/api/v1/projects/{stage.project_id}/exit-statement", headers=bearer(stage.custodial_user_token))
    assert mine.status_code == 200, mine.text
    s = mine.json()["data"]
    assert s["exited"] and s["addresses"] == [b.address.lower()]
    assert s["principal_cents"] == 300_000 and s["balance_units"] == 300_000
    assert s["exit_payout_cents"] == 75_000 == s["unclaimed_cents"] and s["claimed_cents"] == 0
    assert [line["distribution_type"] for line in s["distributions"]] == ["exit"]

    _, stranger = stage.api.user_with_token()
    nothing = client.get(f"/api/v1/projects/{stage.project_id}/exit-statement", headers=bearer(stranger))
    assert nothing.status_code == 404 and nothing.json()["error"]["code"] == "NOT_A_HOLDER"

    exported = client.get(f"/api/v1/admin/projects/{stage.project_id}/exit-statement.csv", headers=admin_headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sum(int(r["exit_payout_cents"]) for r in rows) == 250_000
    assert sorted(int(r["balance_units"]) for r in rows) == [100_000, 300_000, 600_000]
    forbidden = client.get(f"/api/v1/admin/projects/{stage.project_id}/exit-statement.csv", headers=bearer(stranger))
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"community_dao": "0x" + "0" * 40}, 422, "COMMUNITY_DAO_INVALID"),
        ({"community_dao": "not-an-address"}, 422, "VALIDATION_ERROR"),
        ({"community_dao": DAO, "exit_amount": "0"}, 422, "DISTRIBUTION_TOTAL_NOT_POSITIVE"),
    ],
)
def test_bad_exits_are_refused_and_leave_nothing(stage: Stage, body: dict[str, str], status: int, code: str) -> None:
    answer = stage.api.client.post(
        f"/api/v1/admin/projects/{stage.project_id}/exit", json=body, headers=bearer(stage.admin_token)
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    retry = stage.api.client.post(
        f"/api/v1/admin/projects/{stage.project_id}/exit",
        json={"community_dao": DAO},
        headers=bearer(stage.admin_token),
    )
    assert retry.status_code == 202  # the refused attempt left nothing behind that blocks the real one
    unknown = stage.api.client.post(
        f"/api/v1/admin/projects/{uuid.uuid4()}/exit", json={"community_dao": DAO}, headers=bearer(stage.admin_token)
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "PROJECT_NOT_FOUND"
