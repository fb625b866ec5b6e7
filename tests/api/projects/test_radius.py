"""Radius search: PostGIS `ST_DWithin` on the geography column where migration 0009 could add it, the exact
great-circle (haversine) query where it could not; both on real PostgreSQL, and both agree with a plain Python
haversine on the same sphere.

The session database has PostGIS (terra/bootstrap.sh installs it); the database without it is the embedded
PostgreSQL of the dev stack, which has none, migrated to head by the same migrations."""

from __future__ import annotations

import math
import tempfile
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.pagination import PageParams
from api.projects import repository
from api.projects.repository import EARTH_RADIUS_M
from api.projects.schemas import Near, ProjectQuery
from core.db.embedded import start_embedded
from core.db.engine import make_engine, sqlalchemy_url
from core.db.migrate import upgrade
from core.models import Project
from tests.api.conftest import api_settings

URL = "/api/v1/projects"
CITIES = {
    "Berlin": (Decimal("52.520008"), Decimal("13.404954")),
    "Leipzig": (Decimal("51.339695"), Decimal("12.373075")),
    "Munich": (Decimal("48.135125"), Decimal("11.581981")),
    "Reykjavik": (Decimal("64.146582"), Decimal("-21.942635")),
    "Suva": (Decimal("-18.124809"), Decimal("178.450079")),
    "Apia": (Decimal("-13.759029"), Decimal("-172.104629")),  # across the antimeridian from Suva
    "No coordinates": (None, None),
}
SEARCHES = [(52.52, 13.405, 160.0), (52.52, 13.405, 600.0), (-18.0, 179.9, 1200.0), (0.0, 0.0, 20_038.0), (90, 0, 1)]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@pytest.fixture(scope="module")
def plain_engine() -> Iterator[Engine]:
    """A PostgreSQL without PostGIS (the embedded one), migrated to head. Its directory comes from mkdtemp, as in
    tests/conftest.py: the server runs as its own user, who cannot enter pytest's private tmp_path."""
    url = sqlalchemy_url(start_embedded(Path(tempfile.mkdtemp(prefix="terra-test-no-postgis-"))))
    with make_engine(url).connect() as conn:
        assert conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first() is None
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgis(clean_db: Engine) -> str:
    with Session(clean_db) as session:
        schema = repository.postgis_schema(session)
    if schema is None:
        pytest.skip("PostGIS is not installed here (terra/bootstrap.sh installs postgresql-15-postgis-3)")
    return schema


def seed_cities(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.execute(text("TRUNCATE projects CASCADE"))
        for i, (name, (lat, lon)) in enumerate(CITIES.items()):
            pid = uuid.uuid5(uuid.NAMESPACE_URL, name)
            session.add(
                Project(
                    id=pid, chain_id=31337, token_id=Decimal(i + 1), name=name, technology="wind",
                    target_cents=1_000_000, latitude=lat, longitude=lon,
                )
            )  # fmt: skip


def search(client: TestClient, lat: float, lon: float, radius_km: float) -> dict[str, float]:
    answer = client.get(URL, params={"lat": lat, "lon": lon, "radius_km": radius_km, "per_page": 100})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    distances = [p["distance_km"] for p in data]
    assert distances == sorted(distances)  # nearest first by default
    return {p["name"]: p["distance_km"] for p in data}


def expected(lat: float, lon: float, radius_km: float) -> set[str]:
    return {
        name
        for name, (plat, plon) in CITIES.items()
        if plat is not None and plon is not None and haversine_m(lat, lon, float(plat), float(plon)) <= radius_km * 1000
    }


def test_without_postgis_the_migration_leaves_the_geography_out_and_the_great_circle_query_answers(
    plain_engine: Engine,
) -> None:
    columns = {c["name"] for c in inspect(plain_engine).get_columns("projects")}
    assert "search_vector" in columns and "location_geog" not in columns
    seed_cities(plain_engine)
    with TestClient(create_app(api_settings(), engine=plain_engine), base_url="https://testserver") as client:
        for lat, lon, radius_km in SEARCHES:
            assert set(search(client, lat, lon, radius_km)) == expected(lat, lon, radius_km)
        assert client.app.state.projects.postgis is None  # type: ignore[attr-defined]
        berlin_leipzig = search(client, 52.520008, 13.404954, 200)["Leipzig"]
        assert 148 < berlin_leipzig < 151


def test_postgis_and_the_great_circle_query_find_the_same_projects_at_the_same_distances(
    plain_engine: Engine, clean_db: Engine, postgis: str
) -> None:
    seed_cities(plain_engine)
    seed_cities(clean_db)
    settings_ = api_settings()
    with (
        TestClient(create_app(settings_, engine=clean_db), base_url="https://testserver") as with_postgis,
        TestClient(create_app(settings_, engine=plain_engine), base_url="https://testserver") as without,
    ):
        for lat, lon, radius_km in SEARCHES:
            found, fallback = search(with_postgis, lat, lon, radius_km), search(without, lat, lon, radius_km)
            assert set(found) == set(fallback) == expected(lat, lon, radius_km)
            for name, km in found.items():
                assert km == pytest.approx(fallback[name], abs=0.002)
        assert with_postgis.app.state.projects.postgis == postgis  # type: ignore[attr-defined]
        # Filters and search combine with the radius on both paths.
        for client in (with_postgis, without):
            answer = client.get(URL, params={"lat": 52.52, "lon": 13.4, "radius_km": 600, "q": "munich"}).json()
            assert [p["name"] for p in answer["data"]] == ["Munich"]


coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@st.composite
def radius_cases(draw: st.DrawFn) -> tuple[Near, list[tuple[Decimal, Decimal]]]:
    lat, lon = draw(coordinates)
    radius_km = draw(st.floats(0.001, 20_038.0) | st.sampled_from([1.0, 50.0, 500.0, 5_000.0]))
    spread = min(180.0, math.degrees(radius_km * 1000 / EARTH_RADIUS_M) * 1.5)
    near_points = st.tuples(st.floats(-spread, spread), st.floats(-spread, spread)).map(
        lambda d: (max(-90.0, min(90.0, lat + d[0])), ((lon + d[1] + 180.0) % 360.0) - 180.0)
    )
    points = draw(st.lists(near_points | coordinates, min_size=1, max_size=12))
    stored = [(Decimal(f"{p:.6f}"), Decimal(f"{q:.6f}")) for p, q in points]  # as NUMERIC(9,6) keeps them
    return Near(lat, lon, radius_km), stored


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=radius_cases())
@example(case=(Near(0.0, 1.2254796146577461e-213, 1.0), [(Decimal("0.000001"), Decimal("0.000000"))]))  # underflow
def test_both_radius_paths_agree_with_a_python_haversine(clean_db: Engine, postgis: str, case: Any) -> None:
    near, points = case
    with Session(clean_db) as session:
        ids = []
        for i, (lat, lon) in enumerate(points):
            pid = uuid.uuid4()
            ids.append(pid)
            session.add(
                Project(
                    id=pid, chain_id=31337, token_id=Decimal(i + 1), name=f"P{i}", technology="solar",
                    target_cents=1_000, latitude=lat, longitude=lon,
                )
            )  # fmt: skip
        session.flush()
        query = ProjectQuery(near=near, sort="distance")
        found = {
            path: {r.id for r in repository.list_projects(session, query, PageParams(1, 100), schema, None).items}
            for path, schema in (("postgis", postgis), ("great_circle", None))
        }
        session.rollback()
    metres = near.radius_km * 1000
    for pid, (lat, lon) in zip(ids, points, strict=True):
        d = haversine_m(near.lat, near.lon, float(lat), float(lon))
        if abs(d - metres) <= 1e-6 * metres + 0.01:
            continue  # on the boundary, to floating-point precision: either answer is right
        inside = d <= metres
        assert (pid in found["postgis"]) is inside, ("postgis", d, metres)
        assert (pid in found["great_circle"]) is inside, ("great_circle", d, metres)
