"""Roles and permissions: `require_permission("admin.users.read")` guards GET /api/v1/admin/users (paginated)."""

from __future__ import annotations

from tests.api.conftest import Api, bearer
from tests.api.test_conventions import assert_error


def test_a_user_without_the_permission_gets_403(api: Api) -> None:
    _user, token = api.user_with_token()
    body = assert_error(api.client.get("/api/v1/admin/users", headers=bearer(token)), 403, "PERMISSION_DENIED")
    assert body["error"]["details"] == {"permission": "admin.users.read"}


def test_no_token_is_401_not_403(api: Api) -> None:
    assert_error(api.client.get("/api/v1/admin/users"), 401, "NOT_AUTHENTICATED")


def test_an_admin_lists_users_page_by_page_with_totals(api: Api) -> None:
    admin, token = api.user_with_token()
    api.grant(admin["id"], "admin")
    api.quick_users(6)
    first = api.client.get("/api/v1/admin/users?page=1&per_page=3", headers=bearer(token)).json()
    assert first["meta"] | {"timestamp": None, "request_id": None} == {
        "timestamp": None,
        "request_id": None,
        "version": "1.0.0",
        "page": 1,
        "per_page": 3,
        "total": 7,
        "pages": 3,
    }
    assert first["data"][0]["id"] == admin["id"] and first["data"][0]["roles"] == ["admin", "investor"]
    pages = [
        api.client.get(f"/api/v1/admin/users?page={p}&per_page=3", headers=bearer(token)).json()["data"]
        for p in (1, 2, 3)
    ]
    ids = [u["id"] for page in pages for u in page]
    assert len(ids) == 7 == len(set(ids))
    beyond = api.client.get("/api/v1/admin/users?page=9&per_page=3", headers=bearer(token)).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 7


def test_per_page_is_at_most_100_and_page_at_least_1(api: Api) -> None:
    admin, token = api.user_with_token()
    api.grant(admin["id"], "admin")
    for query in ("per_page=101", "per_page=0", "page=0", "page=abc"):
        assert_error(api.client.get(f"/api/v1/admin/users?{query}", headers=bearer(token)), 422, "VALIDATION_ERROR")
    assert api.client.get("/api/v1/admin/users?per_page=100", headers=bearer(token)).status_code == 200


def test_a_revoked_grant_is_felt_at_once(api: Api) -> None:
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from core.models import UserRole

    admin, token = api.user_with_token()
    api.grant(admin["id"], "admin")
    assert api.client.get("/api/v1/admin/users", headers=bearer(token)).status_code == 200
    with Session(api.engine) as session, session.begin():
        session.execute(delete(UserRole).where(UserRole.role == "admin"))
    assert_error(api.client.get("/api/v1/admin/users", headers=bearer(token)), 403, "PERMISSION_DENIED")
