"""Admin project tests: the API on the session's PostgreSQL with a local content store of the test's own, on the
local chain id (no indexer needed: the chain id comes from CHAIN_ID)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from ipfs.local_store import LocalStore
from tests.api.conftest import Api, api_settings, bearer

CHAIN_ID = 31337


def project_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Sunrise Solar Farm - Nevada",
        "description": "50 MW solar installation in the Nevada desert.",
        "technology": "solar",
        "capacity_mw": "50.00",
        "location": {"country": "US", "city": "Pahrump", "latitude": "36.208300", "longitude": "-115.983900"},
        "status": "construction",
        "target_cents": 250_000_000,
        "min_investment_cents": 1_000,
        "expected_return_annual": "7.50",
        "exit_timeline_years": 15,
        "technical_specs": {"panel_type": "Bifacial monocrystalline", "tracking": "Single-axis"},
    }
    return body | changes


@dataclass
class Admin:
    api: Api
    token: str
    store: LocalStore
    data_dir: Path

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    def create(self, **changes: Any) -> dict[str, Any]:
        answer = self.api.client.post("/api/v1/admin/projects", json=project_body(**changes), headers=self.headers)
        assert answer.status_code == 201, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def count(self, table: str) -> int:
        with self.api.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def updated_at(self, project_id: str) -> Any:
        with self.api.engine.connect() as conn:
            return conn.execute(text("SELECT updated_at FROM projects WHERE id = :i"), {"i": project_id}).scalar_one()


def admin_app(clean_db: Engine, data_dir: Path, **overrides: Any) -> Any:
    settings = api_settings(terra_data_dir=data_dir, chain_id=CHAIN_ID, **overrides)
    return create_app(settings, engine=clean_db)


@pytest.fixture
def admin(clean_db: Engine, tmp_path: Path) -> Iterator[Admin]:
    with TestClient(admin_app(clean_db, tmp_path), base_url="https://testserver") as client:
        api = Api(client, clean_db)
        user, token = api.user_with_token()
        api.grant(user["id"], "admin")
        yield Admin(api, token, LocalStore(tmp_path / "ipfs"), tmp_path)
