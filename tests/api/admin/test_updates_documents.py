"""Updates and documents of a catalogue project: published by an admin, documents pinned in the content store
(uploaded, or an existing CID the store holds), and every write bumps the project's `updated_at` (cached project
reads are keyed on it)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ipfs.cid import compute_cid
from ipfs.local_store import LocalStore
from tests.api.admin.conftest import Admin, admin_app
from tests.api.conftest import Api, bearer
from tests.api.test_conventions import assert_error

PDF = b"%PDF-1.7\n" + b"prospectus " * 200


def test_an_update_is_published_and_bumps_updated_at(admin: Admin) -> None:
    project = admin.create()
    before = admin.updated_at(project["id"])
    body = {
        "title": "Panels installed",
        "content": "All 120,000 panels are up.\nGrid connection next.",
        "update_type": "progress",
    }
    answer = admin.api.client.post(f"/api/v1/admin/projects/{project['id']}/updates", json=body, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    update = answer.json()["data"]
    assert {k: update[k] for k in body} == body
    assert update["project_id"] == project["id"] and update["author_user_id"] is not None
    assert admin.updated_at(project["id"]) > before


@pytest.mark.parametrize(
    "body",
    [
        {"title": "t"},
        {"title": "t", "content": "c", "update_type": "gossip"},
        {"title": "<b>t</b>", "content": "c"},
        {"title": "t", "content": "\x00"},
    ],
    ids=["no content", "unknown type", "markup", "NUL"],
)
def test_a_bad_update_is_refused_and_nothing_changes(admin: Admin, body: dict[str, str]) -> None:
    project = admin.create()
    before = admin.updated_at(project["id"])
    answer = admin.api.client.post(f"/api/v1/admin/projects/{project['id']}/updates", json=body, headers=admin.headers)
    assert_error(answer, 422, "VALIDATION_ERROR")
    assert admin.count("project_updates") == 0 and admin.updated_at(project["id"]) == before


def test_an_update_of_an_unknown_project_is_404(admin: Admin) -> None:
    path = "/api/v1/admin/projects/00000000-0000-0000-0000-000000000000/updates"
    assert_error(
        admin.api.client.post(path, json={"title": "t", "content": "c"}, headers=admin.headers),
        404,
        "PROJECT_NOT_FOUND",
    )


def upload(admin: Admin, project_id: str, data: bytes, media_type: str = "application/pdf", title: str = "Prospectus"):  # type: ignore[no-untyped-def]
    return admin.api.client.post(
        f"/api/v1/admin/projects/{project_id}/documents/upload",
        params={"title": title},
        content=data,
        headers=admin.headers | {"Content-Type": media_type},
    )


def test_an_uploaded_document_is_pinned_served_verified_and_bumps_updated_at(admin: Admin) -> None:
    project = admin.create()
    before = admin.updated_at(project["id"])
    answer = upload(admin, project["id"], PDF)
    assert answer.status_code == 201, answer.text
    document = answer.json()["data"]
    cid = compute_cid(PDF)
    assert document["cid"] == cid and document["uri"] == f"ipfs://{cid}" and document["url"] == f"/api/v1/ipfs/{cid}"
    assert document["media_type"] == "application/pdf" and document["size_bytes"] == len(PDF)
    assert admin.store.is_pinned(cid) and admin.store.get(cid) == PDF
    assert admin.updated_at(project["id"]) > before

    served = admin.api.client.get(document["url"])
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["etag"] == f'"{cid}"'
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"

    assert_error(upload(admin, project["id"], PDF), 409, "DOCUMENT_EXISTS")
    assert admin.count("project_documents") == 1


def test_a_bad_upload_is_refused_and_stores_nothing(admin: Admin) -> None:
    project = admin.create()
    assert_error(upload(admin, project["id"], b""), 400, "EMPTY_DOCUMENT")
    assert_error(upload(admin, project["id"], PDF, media_type="not a type"), 422, "VALIDATION_ERROR")
    assert_error(upload(admin, project["id"], PDF, title="<script>x</script>"), 422, "VALIDATION_ERROR")
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(upload(admin, missing, PDF), 404, "PROJECT_NOT_FOUND")
    assert admin.count("project_documents") == 0


def test_an_upload_over_the_body_limit_is_413(clean_db: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(admin_app(clean_db, tmp_path, api_max_body_bytes=4096), base_url="https://testserver") as client:
        api = Api(client, clean_db)
        user, token = api.user_with_token()
        api.grant(user["id"], "admin")
        admin = Admin(api, token, LocalStore(tmp_path / "ipfs"), tmp_path)
        project = admin.create()
        assert_error(upload(admin, project["id"], b"x" * 5000), 413, "PAYLOAD_TOO_LARGE")
        assert upload(admin, project["id"], b"x" * 3000).status_code == 201
        assert admin.count("project_documents") == 1


def test_a_document_the_store_already_holds_is_attached_by_cid(admin: Admin) -> None:
    project = admin.create()
    big = bytes(range(256)) * 2000  # 512 KB: a dag-pb DAG, whose CIDv0 spelling is accepted too
    cid = admin.store.add(big)
    from multiformats import CID

    v0 = str(CID.decode(cid).set(base="base58btc", version=0))
    path = f"/api/v1/admin/projects/{project['id']}/documents"
    answer = admin.api.client.post(
        path, json={"title": "Permit", "cid": v0, "media_type": "application/pdf"}, headers=admin.headers
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["cid"] == cid and admin.store.is_pinned(cid)
    assert admin.api.client.get(f"/api/v1/ipfs/{v0}").content == big

    assert_error(
        admin.api.client.post(path, json={"title": "x", "cid": "not-a-cid"}, headers=admin.headers), 400, "INVALID_CID"
    )
    unknown = compute_cid(b"never stored")
    assert_error(
        admin.api.client.post(path, json={"title": "x", "cid": unknown}, headers=admin.headers),
        404,
        "CONTENT_NOT_FOUND",
    )
    assert admin.count("project_documents") == 1


def test_documents_and_updates_need_the_permission(admin: Admin) -> None:
    project = admin.create()
    _user, token = admin.api.user_with_token()
    answer = admin.api.client.post(
        f"/api/v1/admin/projects/{project['id']}/documents/upload?title=x", content=PDF, headers=bearer(token)
    )
    assert_error(answer, 403, "PERMISSION_DENIED")
    assert admin.count("project_documents") == 0
