"""/health, /ready (database and index freshness), /metrics; and the chain-state `meta` helper."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.envelope import ChainMeta, ChainPageMeta, Envelope
from api.index.meta import chain_envelope, chain_meta
from api.ops.readiness import index_check
from api.ops.repository import CheckpointAge
from api.pagination import Page, chain_page_envelope
from core.db.engine import make_engine
from tests.api.conftest import Api, bearer
from tests.api.test_conventions import assert_error

BLOCK_HASH = "0x" + "ab" * 32


def write_checkpoint(engine: Engine, *, chain_id: int = 31337, age_seconds: int = 0, finalized: int = 90) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO chain_checkpoints (chain_id, block_number, block_hash, finalized_block, updated_at) "
                "VALUES (:c, 100, :h, :f, now() - make_interval(secs => :age))"
            ),
            {"c": chain_id, "h": BLOCK_HASH, "f": finalized, "age": age_seconds},
        )


def test_health_is_an_envelope(api: Api) -> None:
    answer = api.client.get("/health")
    assert answer.status_code == 200 and answer.json()["data"] == {"status": "ok"}


def test_ready_when_the_database_answers_and_the_index_is_fresh(make_app: Any, clean_db: Engine) -> None:
    write_checkpoint(clean_db, age_seconds=5)
    with TestClient(make_app(api_ready_max_index_age_seconds=300), base_url="https://testserver") as client:
        answer = client.get("/ready")
    assert answer.status_code == 200, answer.text
    checks = answer.json()["data"]["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["index"]["status"] == "ok" and checks["index"]["indexed_block"] == 100


def test_not_ready_when_the_index_lags(make_app: Any, clean_db: Engine) -> None:
    write_checkpoint(clean_db, age_seconds=3600)
    with TestClient(make_app(api_ready_max_index_age_seconds=300), base_url="https://testserver") as client:
        body = assert_error(client.get("/ready"), 503, "NOT_READY")
    index = body["error"]["details"]["checks"]["index"]
    assert index["status"] == "lagging" and index["checkpoint_age_seconds"] >= 3600


def test_not_ready_before_the_indexer_wrote_anything(make_app: Any) -> None:
    with TestClient(make_app(api_ready_max_index_age_seconds=300), base_url="https://testserver") as client:
        body = assert_error(client.get("/ready"), 503, "NOT_READY")
    assert body["error"]["details"]["checks"]["index"] == {"status": "no_checkpoint"}


def test_not_ready_when_the_database_is_unreachable() -> None:
    from api.app import create_app
    from tests.api.conftest import api_settings

    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    client = TestClient(create_app(api_settings(), engine=dead), base_url="https://testserver")  # no lifespan
    body = assert_error(client.get("/ready"), 503, "NOT_READY")
    assert body["error"]["details"]["checks"]["database"]["status"] == "unreachable"
    assert client.get("/health").status_code == 200  # liveness does not depend on the database
    dead.dispose()


def test_the_index_rule() -> None:
    age = CheckpointAge(chain_id=1, block_number=7, age_seconds=10.0)
    assert index_check(age, 10.0)[0] and not index_check(age, 9.9)[0]
    assert index_check(None, None) == (True, {"status": "not_checked"})
    assert index_check(None, 60.0) == (False, {"status": "no_checkpoint"})


def test_metrics_count_requests_by_route_template_and_define_the_seed_metrics(api: Api) -> None:
    _user, token = api.user_with_token()
    api.client.get("/api/v1/users/me", headers=bearer(token))
    api.client.get("/api/v1/no/such/route/12345")
    text_ = api.client.get("/metrics").text
    assert 'terralumina_http_requests_total{method="GET",route="/api/v1/users/me",status="200"}' in text_
    assert 'route="unmatched",status="404"' in text_ and "12345" not in text_
    assert (
        'terralumina_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/v1/users/login"}'
        in text_
    )
    assert "# TYPE terralumina_investments_total counter" in text_
    assert "# TYPE terralumina_investment_amount_dollars histogram" in text_


def test_chain_meta_reports_how_far_the_index_reaches(clean_db: Engine) -> None:
    with Session(clean_db) as session:
        assert chain_meta(session, None).model_dump(include={"indexed_block", "block_hash", "finalized_block"}) == {
            "indexed_block": None,
            "block_hash": None,
            "finalized_block": None,
        }
    write_checkpoint(clean_db, chain_id=31337, finalized=-1)
    write_checkpoint(clean_db, chain_id=137, finalized=64)
    with Session(clean_db) as session:
        polygon = chain_meta(session, 137)
        local = chain_meta(session, 31337)
    assert (polygon.indexed_block, polygon.block_hash, polygon.finalized_block) == (100, BLOCK_HASH, 64)
    assert local.finalized_block is None  # -1: nothing final yet
    meta = chain_page_envelope(Page(["x"], 1, 20, 1), polygon).meta
    assert isinstance(meta, ChainPageMeta) and (meta.total, meta.indexed_block) == (1, 100)


def test_an_answer_over_chain_state_carries_the_figures_in_meta(make_app: Any, clean_db: Engine) -> None:
    write_checkpoint(clean_db, chain_id=31337, finalized=99)
    app = make_app()
    router = APIRouter()

    @router.get("/api/v1/test-chain", response_model=Envelope[dict[str, int], ChainMeta])
    def read(db: SessionDep) -> Envelope[dict[str, int], ChainMeta]:
        return chain_envelope({"holders": 3}, chain_meta(db, 31337))

    app.include_router(router)
    with TestClient(app, base_url="https://testserver") as client:
        body = client.get("/api/v1/test-chain").json()
    assert body["data"] == {"holders": 3}
    assert (body["meta"]["indexed_block"], body["meta"]["block_hash"], body["meta"]["finalized_block"]) == (
        100,
        BLOCK_HASH,
        99,
    )
    assert body["meta"]["version"] == "1.0.0" and body["meta"]["request_id"].startswith("req_")
