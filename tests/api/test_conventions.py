"""Every answer in the seed's envelope, under /api/v1, with a stable code for each failure; bad input is a 4xx and
stores nothing; a bug is a 500 envelope that leaks nothing."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import User
from tests.api.conftest import Api, bearer

REQUEST_ID = re.compile(r"req_[0-9a-f]{16}")


def assert_meta(body: dict[str, Any], answer: httpx.Response) -> None:
    meta = body["meta"]
    datetime.fromisoformat(meta["timestamp"])
    assert meta["version"] == "1.0.0"
    assert meta["request_id"] == answer.headers["x-request-id"]


def assert_error(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert "data" not in body
    assert_meta(body, answer)
    return body


def users_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_success_answers_carry_data_and_meta_with_time_version_and_request_id(api: Api) -> None:
    user, token = api.user_with_token()
    answer = api.client.get("/api/v1/users/me", headers=bearer(token))
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True
    assert body["data"]["id"] == user["id"]
    assert REQUEST_ID.fullmatch(body["meta"]["request_id"])
    assert_meta(body, answer)


def test_a_plain_request_id_from_the_caller_is_kept_and_a_strange_one_replaced(api: Api) -> None:
    kept = api.client.get("/health", headers={"X-Request-ID": "trace-42.a_b"})
    assert kept.headers["x-request-id"] == "trace-42.a_b" and kept.json()["meta"]["request_id"] == "trace-42.a_b"
    replaced = api.client.get("/health", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert REQUEST_ID.fullmatch(replaced.headers["x-request-id"])


def test_unknown_route_and_wrong_method_are_enveloped(api: Api) -> None:
    assert_error(api.client.get("/api/v1/nothing-here"), 404, "NOT_FOUND")
    assert_error(api.client.get("/api/v1/users/register"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": "Correct-Horse-Battery-42", "country": "DE"}, "email"),
        ({"email": "a@example.org", "country": "DE"}, "password"),
        ({"email": 12, "password": "Correct-Horse-Battery-42", "country": "DE"}, "email"),
        ({"email": "a@example.org", "password": ["x"], "country": "DE"}, "password"),
        ({"email": "a@example.org", "password": "Correct-Horse-Battery-42", "country": 49}, "country"),
        ({"email": "a@example.org", "password": "Correct-Horse-Battery-42", "country": "Germany"}, "country"),
        ({"email": "not-an-email", "password": "Correct-Horse-Battery-42", "country": "DE"}, "email"),
    ],
)
def test_wrong_types_and_missing_fields_are_validation_errors_and_store_nothing(
    api: Api, payload: dict[str, Any], field: str
) -> None:
    body = assert_error(api.client.post("/api/v1/users/register", json=payload), 422, "VALIDATION_ERROR")
    assert ["body", field] in [e["loc"] for e in body["error"]["details"]["errors"]]
    assert users_count(api.engine) == 0


def test_a_validation_error_never_echoes_the_input(api: Api) -> None:
    secret = "Sup3r-Secret-Password-" + "x" * 200  # too long: refused by the schema
    answer = api.client.post(
        "/api/v1/users/register", json={"email": "a@example.org", "password": secret, "country": "DE"}
    )
    assert_error(answer, 422, "VALIDATION_ERROR")
    assert "Sup3r-Secret" not in answer.text


def test_unknown_fields_in_a_body_are_refused(api: Api) -> None:
    payload = {"email": "a@example.org", "password": "Correct-Horse-Battery-42", "country": "DE", "is_admin": True}
    body = assert_error(api.client.post("/api/v1/users/register", json=payload), 422, "VALIDATION_ERROR")
    assert ["body", "is_admin"] in [e["loc"] for e in body["error"]["details"]["errors"]]
    assert users_count(api.engine) == 0


def test_malformed_json_is_a_validation_error(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/users/register", content=b'{"email": "a@example.org", ', headers={"Content-Type": "application/json"}
    )
    assert_error(answer, 422, "VALIDATION_ERROR")


def test_unknown_query_parameters_are_refused_with_their_names(api: Api) -> None:
    _user, token = api.user_with_token()
    body = assert_error(
        api.client.get("/api/v1/users/me?fields=all&debug=1", headers=bearer(token)), 400, "UNKNOWN_QUERY_PARAMETER"
    )
    assert body["error"]["details"]["unknown"] == ["debug", "fields"]
    assert_error(api.client.get("/health?verbose=1"), 400, "UNKNOWN_QUERY_PARAMETER")


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Api) -> None:
    huge = b'{"email": "' + b"a" * (1024 * 1024 + 10) + b'@example.org"}'
    answer = api.client.post("/api/v1/users/register", content=huge, headers={"Content-Type": "application/json"})
    body = assert_error(answer, 413, "PAYLOAD_TOO_LARGE")
    assert body["error"]["details"]["max_bytes"] == 1024 * 1024
    assert users_count(api.engine) == 0


def test_a_chunked_body_over_the_limit_is_refused_too(make_app: Any) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 1024

    with TestClient(make_app(api_max_body_bytes=16 * 1024), base_url="https://testserver") as client:
        answer = client.post("/api/v1/users/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in answer.request.headers  # really chunked
    assert_error(answer, 413, "PAYLOAD_TOO_LARGE")


def test_a_bug_is_a_500_envelope_with_the_request_id_and_nothing_of_the_exception(make_app: Any) -> None:
    app = make_app()
    broken = APIRouter()

    @broken.get("/api/v1/broken")
    def explode() -> None:
        raise RuntimeError("database password is hunter2")

    app.include_router(broken)
    with TestClient(app, base_url="https://testserver") as client:
        answer = client.get("/api/v1/broken")
    body = assert_error(answer, 500, "INTERNAL_ERROR")
    assert "hunter2" not in answer.text and "RuntimeError" not in answer.text
    assert body["error"]["details"] == {}
    assert answer.headers["x-content-type-options"] == "nosniff"  # the 500 went through our middleware too


def test_openapi_is_served_at_docs_and_lists_the_v1_routes(api: Api) -> None:
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    schema = api.client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/users/register", "/api/v1/users/login", "/api/v1/users/me", "/api/v1/admin/users"} <= paths
    assert {"/health", "/ready"} <= paths
    assert all(p.startswith("/api/v1/") for p in paths - {"/health", "/ready"})


def test_large_answers_are_gzipped_small_ones_not(api: Api) -> None:
    admin, token = api.user_with_token()
    api.grant(admin["id"], "admin")
    api.quick_users(12)
    big = api.client.get("/api/v1/admin/users?per_page=100", headers=bearer(token) | {"Accept-Encoding": "gzip"})
    assert big.headers.get("content-encoding") == "gzip"
    assert len(big.json()["data"]) == 13  # httpx decoded it
    small = api.client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_gzip_body_is_really_compressed(api: Api) -> None:
    admin, token = api.user_with_token()
    api.grant(admin["id"], "admin")
    api.quick_users(12)
    with api.client.stream(
        "GET", "/api/v1/admin/users?per_page=100", headers=bearer(token) | {"Accept-Encoding": "gzip"}
    ) as raw:
        compressed = b"".join(raw.iter_raw())
    assert b'"success":true' in gzip.decompress(compressed)


def test_security_headers_on_every_answer_and_hsts_only_over_tls_or_when_set(make_app: Any) -> None:
    app = make_app()
    with TestClient(app, base_url="http://testserver") as plain:
        answer = plain.get("/health")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert "strict-transport-security" not in answer.headers
        assert_error(plain.get("/nope"), 404, "NOT_FOUND")
        assert plain.get("/nope").headers["x-frame-options"] == "DENY"
    with TestClient(app, base_url="https://testserver") as tls:
        assert tls.get("/health").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(make_app(api_hsts=True), base_url="http://testserver") as forced:
        assert "strict-transport-security" in forced.get("/health").headers


def test_cors_allows_the_configured_origins_only(make_app: Any) -> None:
    app = make_app(api_cors_origins="https://app.terralumina.org")
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "X-CSRF-Token"}
    with TestClient(app, base_url="https://testserver") as client:
        allowed = client.options("/api/v1/users/login", headers={"Origin": "https://app.terralumina.org"} | preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.terralumina.org"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        other = client.options("/api/v1/users/login", headers={"Origin": "https://evil.example"} | preflight)
        assert "access-control-allow-origin" not in other.headers
        simple = client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in simple.headers


def test_openapi_declares_the_bearer_scheme_on_routes_that_need_a_user(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/users/me"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/api/v1/users/register"]["post"]
