"""`terra demo seed` writes the demo projects' catalogue rows, tied to the chain (token id, cap, metadata CID), and
is harmless the second time; the API then serves their pinned ERC-1155 metadata at the URL `uri(id)` gives."""

from __future__ import annotations

import json
from decimal import Decimal

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from core.chain.ownership import read_project
from ipfs.configured import open_store
from terra.ops.demo import demo_projects, seed
from terra.ops.demo_catalogue import seed_catalogue
from terra.ops.metadata import demo_metadata_cid
from terra.ops.settings import OperatorSettings
from tests.api.conftest import api_settings
from tests.conftest import Chain


def _quiet(_message: str) -> None:
    return None


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT token_id, name, technology, location_country, latitude, longitude, target_cents,"
                    " metadata_cid, status, min_investment_cents, updated_at FROM projects ORDER BY token_id"
                )
            )
        ]


def test_demo_seed_writes_catalogue_rows_matching_the_chain_and_is_idempotent(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, clean_db: Engine, test_settings: OperatorSettings
) -> None:
    def pin(project: dict[str, object]) -> str:
        return demo_metadata_cid(test_settings, project)

    seed(chain.w3, chain.deployment, admin, minter, pin, _quiet)
    assert seed_catalogue(clean_db, chain.w3, chain.deployment, demo_projects(), _quiet) == 3

    rows = _rows(clean_db)
    assert [r[0] for r in rows] == [Decimal(1), Decimal(2), Decimal(3)]
    for row, project in zip(rows, demo_projects(), strict=True):
        on_chain = read_project(chain.w3, chain.deployment, project["token_id"])
        assert on_chain is not None
        assert row[1] == project["name"] and row[2] == project["technology"]
        assert row[6] == on_chain.supply_cap and row[7] == on_chain.metadata_cid
        assert row[4] is not None and row[5] is not None  # real-looking coordinates for the radius search
        assert row[9] >= 1_000
    assert rows[0][3:6] == ("US", Decimal("36.208300"), Decimal("-115.983900"))

    seed(chain.w3, chain.deployment, admin, minter, pin, _quiet)
    assert seed_catalogue(clean_db, chain.w3, chain.deployment, demo_projects(), _quiet) == 0
    assert _rows(clean_db) == rows  # not even updated_at moved


def test_the_api_serves_the_demo_metadata_that_the_chain_names(
    chain: Chain, admin: LocalAccount, minter: LocalAccount, clean_db: Engine, test_settings: OperatorSettings
) -> None:
    seed(chain.w3, chain.deployment, admin, minter, lambda p: demo_metadata_cid(test_settings, p), _quiet)
    seed_catalogue(clean_db, chain.w3, chain.deployment, demo_projects(), _quiet)
    uri = chain.ownership.functions.uri(2).call()
    assert uri.endswith("/api/v1/metadata/{id}")
    path = uri[uri.index("/api/v1/") :].replace("{id}", f"{2:064x}")  # the substitution ERC-1155 clients make

    settings = api_settings(terra_data_dir=test_settings.terra_data_dir, chain_id=chain.w3.eth.chain_id)
    with TestClient(create_app(settings, engine=clean_db), base_url="https://testserver") as client:
        answer = client.get(path)
    assert answer.status_code == 200, answer.text
    on_chain = read_project(chain.w3, chain.deployment, 2)
    assert on_chain is not None
    with open_store(test_settings) as store:
        assert answer.content == store.get(on_chain.metadata_cid)
    document = json.loads(answer.content)
    assert document["name"] == "North Sea Breeze Wind Park"
    assert document["properties"]["token_id"] == 2
    assert document["properties"]["offering"]["exit_timeline_years"] == 20
    assert document["properties"]["location"]["latitude"] == "56.0897"


def test_terra_dev_points_uri_at_its_own_api_unless_metadata_uri_is_set() -> None:
    from core.settings import load_settings
    from terra.local.stack import local_metadata_uri

    api = api_settings(api_port=9123)
    assert local_metadata_uri(load_settings(OperatorSettings), api) == "http://127.0.0.1:9123/api/v1/metadata/{id}"
    explicit = load_settings(OperatorSettings, metadata_uri="https://terra.example/api/v1/metadata/{id}")
    assert local_metadata_uri(explicit, api) == "https://terra.example/api/v1/metadata/{id}"
