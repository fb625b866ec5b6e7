"""GET /api/v1/projects: filters, sorting, pages, full-text search, the indexed figures per project and `meta`,
and every bad query answered with a stable 4xx code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api
from tests.api.projects.conftest import Catalogue

URL = "/api/v1/projects"


def names(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [p["name"] for p in answer.json()["data"]]


def test_each_project_has_its_indexed_cap_and_raised_as_of_the_block_in_meta(api: Api, catalogue: Catalogue) -> None:
    funded = catalogue.project(name="Nordsee Wind", technology="wind", target_cents=80_000_000)
    catalogue.project(name="Alpine Hydro", technology="hydro")  # in the catalogue, not yet created on chain
    catalogue.on_chain(funded, minted=12_345_00, holders=3)
    block_hash = catalogue.checkpoint(120, finalized=100)

    answer = api.client.get(URL)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_name = {p["name"]: p for p in body["data"]}
    assert by_name["Nordsee Wind"]["on_chain"] == {
        "cap_cents": 80_000_000,
        "raised_cents": 12_345_00,
        "remaining_cents": 80_000_000 - 12_345_00,
        "exited": False,
        "as_of_block": 120,
    }
    assert by_name["Alpine Hydro"]["on_chain"] is None
    meta = body["meta"]
    assert (meta["indexed_block"], meta["block_hash"], meta["finalized_block"]) == (120, block_hash, 100)
    assert (meta["page"], meta["per_page"], meta["total"], meta["pages"]) == (1, 20, 2, 1)
    assert meta["request_id"] == answer.headers["x-request-id"]


def test_before_anything_is_indexed_meta_says_so(api: Api, catalogue: Catalogue) -> None:
    catalogue.project()
    meta = api.client.get(URL).json()["meta"]
    assert (meta["indexed_block"], meta["block_hash"], meta["finalized_block"]) == (None, None, None)


def test_filters_by_technology_status_and_country_each_taking_several_values(api: Api, catalogue: Catalogue) -> None:
    catalogue.project(name="A", technology="solar", status="operating", location_country="DE")
    catalogue.project(name="B", technology="wind", status="construction", location_country="DK")
    catalogue.project(name="C", technology="hydro", status="planning", location_country="NO")
    catalogue.project(name="D", technology="wind", status="operating", location_country="DE")

    assert sorted(names(api.client.get(URL, params={"technology": "wind"}))) == ["B", "D"]
    assert sorted(names(api.client.get(URL, params={"technology": ["wind", "hydro"]}))) == ["B", "C", "D"]
    assert sorted(names(api.client.get(URL, params={"status": "operating"}))) == ["A", "D"]
    assert sorted(names(api.client.get(URL, params={"country": "de"}))) == ["A", "D"]  # case does not matter
    assert names(api.client.get(URL, params={"country": "DE", "technology": "wind", "status": "operating"})) == ["D"]
    assert names(api.client.get(URL, params={"technology": "geothermal"})) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Aurora", "Borealis", "Cedar"]),
        ("-name", ["Cedar", "Borealis", "Aurora"]),
        ("target", ["Borealis", "Cedar", "Aurora"]),
        ("-target", ["Aurora", "Cedar", "Borealis"]),
        ("raised", ["Cedar", "Aurora", "Borealis"]),  # not on chain counts as nothing raised
        ("-raised", ["Borealis", "Aurora", "Cedar"]),
        ("expected_return", ["Borealis", "Aurora", "Cedar"]),  # unknown last
        ("-expected_return", ["Aurora", "Borealis", "Cedar"]),
        ("created_at", ["Cedar", "Aurora", "Borealis"]),
        ("-created_at", ["Borealis", "Aurora", "Cedar"]),
    ],
)
def test_sorts_by_the_key_asked_for(api: Api, catalogue: Catalogue, sort: str, expected: list[str]) -> None:
    cedar = catalogue.project(name="Cedar", target_cents=2_000_000, expected_return_annual=None)
    aurora = catalogue.project(name="Aurora", target_cents=9_000_000, expected_return_annual=Decimal("7.25"))
    borealis = catalogue.project(name="Borealis", target_cents=1_000_000, expected_return_annual=Decimal("5.10"))
    catalogue.on_chain(aurora, minted=10_000)
    catalogue.on_chain(borealis, minted=900_000)
    del cedar
    assert names(api.client.get(URL, params={"sort": sort})) == expected


def test_the_default_order_is_newest_first(api: Api, catalogue: Catalogue) -> None:
    for name in ("old", "middle", "new"):
        catalogue.project(name=name)
    assert names(api.client.get(URL)) == ["new", "middle", "old"]


def test_pages_cover_every_project_once_with_totals(api: Api, catalogue: Catalogue) -> None:
    for i in range(23):
        catalogue.project(name=f"Project {i:02d}", target_cents=1_000_000)  # equal keys: the id breaks ties
    seen: list[str] = []
    for page in (1, 2, 3):
        answer = api.client.get(URL, params={"page": page, "per_page": 10, "sort": "target"})
        meta = answer.json()["meta"]
        assert (meta["total"], meta["pages"], meta["page"], meta["per_page"]) == (23, 3, page, 10)
        seen += names(answer)
    assert len(seen) == 23 and len(set(seen)) == 23
    beyond = api.client.get(URL, params={"page": 4, "per_page": 10}).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 23


def test_full_text_search_stems_words_and_ranks_name_matches_first(api: Api, catalogue: Catalogue) -> None:
    catalogue.project(name="Harbour Storage", description="A battery beside the wind turbines of the harbour.")
    catalogue.project(name="Coastal Wind", description="Six turbines on the dunes.")
    catalogue.project(name="Sunny Fields", description="Photovoltaics on farmland.")
    assert sorted(names(api.client.get(URL, params={"q": "turbine"}))) == ["Coastal Wind", "Harbour Storage"]
    assert names(api.client.get(URL, params={"q": "wind"})) == ["Coastal Wind", "Harbour Storage"]
    assert names(api.client.get(URL, params={"q": "wind -battery"})) == ["Coastal Wind"]  # web search syntax
    assert names(api.client.get(URL, params={"q": '"photovoltaics on farmland"'})) == ["Sunny Fields"]
    assert names(api.client.get(URL, params={"q": "geothermal"})) == []
    assert names(api.client.get(URL, params={"q": "wind", "sort": "name"})) == ["Coastal Wind", "Harbour Storage"]
    assert api.client.get(URL, params={"q": "the"}).json()["data"] == []  # only a stop word: nothing, no error


def test_a_centre_with_a_vanishingly_small_coordinate_is_searched_not_an_error(api: Api, catalogue: Catalogue) -> None:
    catalogue.project(name="Null Island", latitude=Decimal("0.000001"), longitude=Decimal("0"))
    answer = api.client.get(URL, params={"lat": "0", "lon": "1.2254796146577461e-213", "radius_km": "1"})
    assert names(answer) == ["Null Island"]


def test_search_text_is_data_never_sql(api: Api, catalogue: Catalogue) -> None:
    catalogue.project(name="Robust Solar")
    for q in ("'; DROP TABLE projects; --", "<script>alert(1)</script>", "solar' OR '1'='1", "\\", "&|!:*()"):
        answer = api.client.get(URL, params={"q": q})
        assert answer.status_code == 200, (q, answer.text)
    assert names(api.client.get(URL)) == ["Robust Solar"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"technology": "nuclear"}, 422, "VALIDATION_ERROR"),
        ({"status": "closed"}, 422, "VALIDATION_ERROR"),
        ({"country": "DEU"}, 422, "VALIDATION_ERROR"),
        ({"country": "1A"}, 422, "VALIDATION_ERROR"),
        ({"sort": "popularity"}, 422, "VALIDATION_ERROR"),
        ({"per_page": "101"}, 422, "VALIDATION_ERROR"),
        ({"page": "0"}, 422, "VALIDATION_ERROR"),
        ({"page": "one"}, 422, "VALIDATION_ERROR"),
        ({"q": "x" * 201}, 422, "VALIDATION_ERROR"),
        ({"q": "wind\x00"}, 422, "VALIDATION_ERROR"),
        ({"lat": "91", "lon": "0", "radius_km": "5"}, 422, "VALIDATION_ERROR"),
        ({"lat": "0", "lon": "-181", "radius_km": "5"}, 422, "VALIDATION_ERROR"),
        ({"lat": "0", "lon": "0", "radius_km": "0"}, 422, "VALIDATION_ERROR"),
        ({"lat": "0", "lon": "0", "radius_km": "nan"}, 422, "VALIDATION_ERROR"),
        ({"lat": "0", "lon": "0", "radius_km": "30000"}, 422, "VALIDATION_ERROR"),
        ({"lat": "48.1", "lon": "11.5"}, 422, "RADIUS_SEARCH_INCOMPLETE"),
        ({"radius_km": "10"}, 422, "RADIUS_SEARCH_INCOMPLETE"),
        ({"sort": "relevance"}, 422, "SORT_NOT_APPLICABLE"),
        ({"sort": "distance", "q": "wind"}, 422, "SORT_NOT_APPLICABLE"),
        ({"technologies": "wind"}, 400, "UNKNOWN_QUERY_PARAMETER"),
    ],
)
def test_bad_queries_get_a_stable_code(
    api: Api, catalogue: Catalogue, params: dict[str, str], status: int, code: str
) -> None:
    catalogue.project()
    answer = api.client.get(URL, params=params)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["success"] is False and body["error"]["code"] == code


PARAMETERS = ["technology", "status", "country", "q", "lat", "lon", "radius_km", "sort", "page", "per_page"]
query_values = st.text(max_size=30) | st.sampled_from(["wind", "DE", "-name", "1e309", "-0", "nan", "inf", "\x00"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(PARAMETERS),
        query_values,
        max_size=4,
    )
)
def test_any_query_gets_an_enveloped_answer_and_never_a_server_error(api: Api, params: dict[str, str]) -> None:
    answer = api.client.get(URL, params=params)
    assert answer.status_code < 500, answer.text
    body = answer.json()
    assert body["success"] is (answer.status_code == 200)
    if answer.status_code >= 400:
        assert body["error"]["code"].isupper()
