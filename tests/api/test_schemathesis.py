"""schemathesis over the app's whole OpenAPI schema (/openapi.json), on the real PostgreSQL: for every operation
there is, valid and invalid requests, anonymous and with a real token (of an admin, so that admin routes do their
work too): never a 5xx, every answer in the envelope and as the schema documents it. Routes added later are covered
without touching this file. SCHEMATHESIS_MAX_EXAMPLES sets examples per operation and mode (CI: the default)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import Engine

from api.accounts.roles import ADMIN
from api.app import create_app
from api.settings import LOCAL_FAKE_KYC_API_TOKEN, LOCAL_FAKE_KYC_WEBHOOK_TOKEN, ApiSettings
from terra.local.fake_kyc import FakeKyc
from tests.api.conftest import Api, api_settings, bearer

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
META_KEYS = {"timestamp", "version", "request_id"}


def every_answer_is_an_envelope(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`{success: true, data, meta}` or `{success: false, error: {code, message, details}, meta}`, whatever the
    status, with the request id also in X-Request-ID."""
    body = response.json()
    assert isinstance(body, dict), f"not an envelope: {body!r:.200}"
    assert META_KEYS <= set(body.get("meta", {})), f"meta lacks {META_KEYS - set(body.get('meta', {}))}"
    assert body["meta"]["request_id"] == response.headers["x-request-id"][0]
    if response.status_code < 400:
        assert body["success"] is True and "data" in body, f"{response.status_code} without data"
    else:
        assert body["success"] is False and "data" not in body
        error = body["error"]
        assert isinstance(error["code"], str) and error["code"].isupper(), error
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["details"], dict)
    return None


@pytest.fixture
def api_schema(clean_db: Engine) -> Iterator[OpenApiSchema]:
    # KYC on, against the FAKE provider (as terra dev runs it): without one, KYC routes answer 503 by design.
    with FakeKyc(
        webhook_url=None,
        api_token=LOCAL_FAKE_KYC_API_TOKEN,
        webhook_token=LOCAL_FAKE_KYC_WEBHOOK_TOKEN,
        approve_after=None,
    ) as fake_kyc:
        yield from _schema(clean_db, api_settings(kyc_fake=True, kyc_api_base=fake_kyc.url))


def _schema(clean_db: Engine, settings: ApiSettings) -> Iterator[OpenApiSchema]:
    app = create_app(settings, engine=clean_db)
    with TestClient(app):  # lifespan once: the built-in roles are in the database before any request
        pass
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True
    )
    yield schema


@pytest.fixture
def admin_token(api: Api) -> str:
    user, token = api.user_with_token()
    api.grant(user["id"], ADMIN)
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_an_envelope(case: Case, admin_token: str) -> None:
    # Examples split (by a stable hash) into anonymous and signed-in calls: both sides of every guard get exercised;
    # an Authorization header schemathesis generated itself is left as it made it.
    signed_in = bool(zlib.crc32(repr((case.body, case.query, case.path_parameters)).encode()) % 2)
    own_auth = "authorization" in {k.lower() for k in case.headers or {}}
    headers = bearer(admin_token) if signed_in and not own_auth else {}
    case.call_and_validate(
        headers=headers, checks=[not_a_server_error, response_schema_conformance, every_answer_is_an_envelope]
    )
