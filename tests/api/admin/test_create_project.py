"""POST /api/v1/admin/projects: a validated catalogue project with the next token id, its ERC-1155 metadata pinned
in the content store and createProject queued for the relayer (the API never signs)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from ipfs.cid import compute_cid
from tests.api.admin.conftest import CHAIN_ID, Admin, project_body
from tests.api.conftest import bearer
from tests.api.test_conventions import assert_error


def test_an_admin_creates_a_project_with_its_metadata_pinned_and_create_project_queued(admin: Admin) -> None:
    project = admin.create()

    assert project["token_id"] == 1 and project["chain_id"] == CHAIN_ID
    assert project["target_cents"] == 250_000_000 and project["status"] == "construction"
    assert project["chain_creation"] == {"status": "pending", "tx_hash": None, "error": None}
    cid = project["metadata_cid"]
    document = admin.store.get(cid)
    assert compute_cid(document) == cid and admin.store.is_pinned(cid)
    metadata = json.loads(document)
    assert metadata["name"] == "Sunrise Solar Farm - Nevada"
    assert metadata["description"] == "50 MW solar installation in the Nevada desert."
    assert metadata["decimals"] == 2
    props = metadata["properties"]
    assert props["token_id"] == 1 and props["supply_cap_cents"] == 250_000_000
    assert props["technology"] == "solar" and props["capacity_mw"] == "50"
    assert props["location"] == {"country": "US", "city": "Pahrump", "latitude": "36.2083", "longitude": "-115.9839"}
    assert props["offering"] == {
        "min_investment_cents": 1_000,
        "expected_return_annual_percent": "7.5",
        "exit_timeline_years": 15,
    }
    assert props["technical_specs"]["tracking"] == "Single-axis"
    with admin.api.engine.connect() as conn:
        intent = conn.execute(
            text("SELECT chain_id, token_id, supply_cap, metadata_cid, status, tx_id FROM project_intents")
        ).one()
    assert tuple(intent) == (CHAIN_ID, Decimal(1), Decimal(250_000_000), cid, "pending", None)


def test_token_ids_follow_the_highest_in_the_catalogue_and_on_chain(admin: Admin) -> None:
    assert admin.create()["token_id"] == 1
    with admin.api.engine.begin() as conn:  # a project created on chain outside the catalogue (an ape script)
        conn.execute(
            text(
                "INSERT INTO chain_projects (chain_id, project_id, supply_cap, metadata_cid, created_block, created_tx)"
                " VALUES (:c, 41, 100, 'bafkreiexample', 1, :tx)"
            ),
            {"c": CHAIN_ID, "tx": "0x" + "ab" * 32},
        )
    assert admin.create()["token_id"] == 42
    assert admin.create()["token_id"] == 43


def test_concurrent_creations_get_distinct_consecutive_token_ids(admin: Admin) -> None:
    def create(n: int) -> Any:
        return admin.api.client.post(
            "/api/v1/admin/projects", json=project_body(name=f"Parallel park {n}"), headers=admin.headers
        )

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(create, range(8)))
    assert [a.status_code for a in answers] == [201] * 8
    ids = sorted(a.json()["data"]["token_id"] for a in answers)
    assert ids == list(range(1, 9))
    assert admin.count("project_intents") == 8


def test_the_admin_reads_back_the_project_and_its_creation_status(admin: Admin) -> None:
    project = admin.create()
    answer = admin.api.client.get(f"/api/v1/admin/projects/{project['id']}", headers=admin.headers)
    assert answer.status_code == 200
    assert answer.json()["data"] == project
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(
        admin.api.client.get(f"/api/v1/admin/projects/{missing}", headers=admin.headers), 404, "PROJECT_NOT_FOUND"
    )


def test_a_user_without_the_permission_gets_403_and_nothing_is_stored(admin: Admin) -> None:
    _user, token = admin.api.user_with_token()
    body = project_body()
    for path in ("/api/v1/admin/projects",):
        answer = admin.api.client.post(path, json=body, headers=bearer(token))
        assert_error(answer, 403, "PERMISSION_DENIED")
        assert answer.json()["error"]["details"] == {"permission": "admin.projects.write"}
    assert_error(admin.api.client.post("/api/v1/admin/projects", json=body), 401, "NOT_AUTHENTICATED")
    assert admin.count("projects") == 0 and admin.count("project_intents") == 0


def test_every_admin_project_route_refuses_non_admins_and_anonymous_callers(admin: Admin) -> None:
    project = admin.create()
    _user, token = admin.api.user_with_token()
    pid = project["id"]
    calls = [
        ("GET", f"/api/v1/admin/projects/{pid}", None),
        ("POST", f"/api/v1/admin/projects/{pid}/updates", {"title": "t", "content": "c"}),
        ("POST", f"/api/v1/admin/projects/{pid}/documents", {"title": "t", "cid": project["metadata_cid"]}),
        ("POST", f"/api/v1/admin/projects/{pid}/documents/upload?title=t", None),
    ]
    for method, path, body in calls:
        assert_error(admin.api.client.request(method, path, json=body, headers=bearer(token)), 403, "PERMISSION_DENIED")
        assert_error(admin.api.client.request(method, path, json=body), 401, "NOT_AUTHENTICATED")
    assert admin.count("project_updates") == 0 and admin.count("project_documents") == 0
