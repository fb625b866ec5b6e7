"""GET /api/v1/projects/{id}: one project by catalogue UUID or on-chain token id, with cap, raised, remaining,
holders and exit from the index, its documents (served from /api/v1/ipfs/{cid}) and updates newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import Api
from tests.api.projects.conftest import Catalogue

URL = "/api/v1/projects"
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
T = datetime(2026, 6, 1, tzinfo=UTC)


def test_detail_has_the_indexed_figures_documents_and_updates_newest_first(api: Api, catalogue: Catalogue) -> None:
    project = catalogue.project(name="Nordsee Wind", technology="wind", target_cents=80_000_000)
    catalogue.on_chain(project, minted=30_000_000, holders=42)
    catalogue.document(project, "Prospectus", CID, T)
    catalogue.document(
        project, "Permit", "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq", T + timedelta(2)
    )
    for day, title in ((1, "Foundations poured"), (30, "Turbines erected"), (9, "Cables laid")):
        catalogue.update(project, title, T + timedelta(days=day))
    block_hash = catalogue.checkpoint(300, finalized=280)

    answer = api.client.get(f"{URL}/{project['id']}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    data = body["data"]
    assert data["id"] == str(project["id"]) and data["token_id"] == int(project["token_id"])
    assert data["on_chain"] == {
        "cap_cents": 80_000_000,
        "raised_cents": 30_000_000,
        "remaining_cents": 50_000_000,
        "exited": False,
        "as_of_block": 300,
        "holders": 42,
        "exit_block": None,
        "community_dao": None,
    }
    first, second = data["documents"]  # oldest first
    assert (first["title"], first["cid"], first["url"]) == ("Prospectus", CID, f"/api/v1/ipfs/{CID}")
    assert second["title"] == "Permit" and second["url"] == f"/api/v1/ipfs/{second['cid']}"
    assert [u["title"] for u in data["updates"]] == ["Turbines erected", "Cables laid", "Foundations poured"]
    assert data["location"] == {"country": "DE", "city": "Leipzig", "latitude": 51.3397, "longitude": 12.3731}
    assert data["capacity_mw"] == "12.50" and data["expected_return_annual"] == "6.50"  # Decimal, never float
    meta = body["meta"]
    assert (meta["indexed_block"], meta["block_hash"], meta["finalized_block"]) == (300, block_hash, 280)


def test_the_on_chain_token_id_finds_the_same_project(api: Api, catalogue: Catalogue) -> None:
    catalogue.project(token_id=5)
    wanted = catalogue.project(token_id=77, name="Token Seventy-Seven")
    by_token = api.client.get(f"{URL}/77")
    assert by_token.status_code == 200, by_token.text
    assert by_token.json()["data"]["id"] == str(wanted["id"])
    assert by_token.json()["data"] == api.client.get(f"{URL}/{wanted['id']}").json()["data"]


def test_an_exited_project_has_nothing_remaining_and_names_its_dao(api: Api, catalogue: Catalogue) -> None:
    project = catalogue.project(status="exited")
    catalogue.on_chain(project, minted=1_000, holders=1, exited=True)
    figures = api.client.get(f"{URL}/{project['id']}").json()["data"]["on_chain"]
    assert figures["exited"] is True and figures["remaining_cents"] == 0
    assert figures["exit_block"] == 7 and figures["community_dao"] == "0x" + "d" * 40


def test_a_project_not_yet_created_on_chain_has_no_figures(api: Api, catalogue: Catalogue) -> None:
    project = catalogue.project()
    data = api.client.get(f"{URL}/{project['id']}").json()["data"]
    assert data["on_chain"] is None and data["documents"] == [] and data["updates"] == []


@pytest.mark.parametrize("missing", [str(uuid.uuid4()), "999999", "0", "9" * 78])
def test_an_unknown_project_is_a_404_in_the_envelope(api: Api, catalogue: Catalogue, missing: str) -> None:
    catalogue.project(token_id=1)
    answer = api.client.get(f"{URL}/{missing}")
    assert answer.status_code == 404, answer.text
    assert answer.json()["success"] is False and answer.json()["error"]["code"] == "PROJECT_NOT_FOUND"


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        *[(bad, "INVALID_PROJECT_ID") for bad in ("not-a-uuid", "12ab", "-1", "1.5", "%27%20OR%201%3D1", "9" * 79)],
        ("x" * 101, "VALIDATION_ERROR"),
    ],
)
def test_an_id_that_is_neither_a_uuid_nor_a_token_id_is_refused(api: Api, bad: str, code: str) -> None:
    answer = api.client.get(f"{URL}/{bad}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code
