"""Bad input to the admin project routes: a 4xx envelope with a stable code, never a 500, nothing stored (not the
catalogue row, not its intent); text that merely looks like SQL is stored as the text it is."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.admin.conftest import Admin, project_body
from tests.api.test_conventions import assert_error

BAD_BODIES: dict[str, dict[str, Any]] = {
    "missing name": {"name": None},
    "markup in name": {"name": "<script>alert(1)</script>"},
    "markup in description": {"description": "Nice <img src=x onerror=alert(1)> park"},
    "NUL in description": {"description": "sun\x00shine"},
    "line break in name": {"name": "two\nlines"},
    "blank name": {"name": "   "},
    "name too long": {"name": "x" * 256},
    "unknown technology": {"technology": "nuclear"},
    "negative capacity": {"capacity_mw": "-1"},
    "capacity with 3 decimals": {"capacity_mw": "1.234"},
    "capacity not a number": {"capacity_mw": "NaN"},
    "country of 3 letters": {"location": {"country": "USA"}},
    "latitude without longitude": {"location": {"country": "US", "latitude": "10"}},
    "latitude out of range": {"location": {"country": "US", "latitude": "91", "longitude": "0"}},
    "exited at creation": {"status": "exited"},
    "zero target": {"target_cents": 0},
    "target as a string": {"target_cents": "100000"},
    "target as a boolean": {"target_cents": True},
    "target as a float": {"target_cents": 1000.5},
    "target beyond bigint": {"target_cents": 2**63},
    "minimum under ten dollars": {"min_investment_cents": 999},
    "minimum above target": {"target_cents": 5_000, "min_investment_cents": 6_000},
    "return above 100%": {"expected_return_annual": "101"},
    "zero exit timeline": {"exit_timeline_years": 0},
    "float in specs": {"technical_specs": {"efficiency": 0.21}},
    "unknown field": {"raised_cents": 5},
}


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_invalid_projects_are_refused_with_validation_error_and_nothing_stored(
    admin: Admin, change: dict[str, Any]
) -> None:
    body = {k: v for k, v in project_body(**change).items() if v is not None}
    answer = admin.api.client.post("/api/v1/admin/projects", json=body, headers=admin.headers)
    assert_error(answer, 422, "VALIDATION_ERROR")
    assert admin.count("projects") == 0 and admin.count("project_intents") == 0


def test_text_that_looks_like_sql_is_stored_as_text(admin: Admin) -> None:
    name = "Robert'); DROP TABLE projects; --"
    project = admin.create(name=name, description="' OR 1=1 --")
    assert project["name"] == name and project["description"] == "' OR 1=1 --"
    assert admin.count("projects") == 1


def test_a_body_over_the_limit_is_413_and_a_bad_uuid_422(admin: Admin) -> None:
    huge = project_body(description="x" * (2 * 1024 * 1024))
    assert_error(
        admin.api.client.post("/api/v1/admin/projects", json=huge, headers=admin.headers), 413, "PAYLOAD_TOO_LARGE"
    )
    assert_error(
        admin.api.client.get("/api/v1/admin/projects/not-a-uuid", headers=admin.headers), 422, "VALIDATION_ERROR"
    )
    path = "/api/v1/admin/projects/not-a-uuid/updates"
    assert_error(
        admin.api.client.post(path, json={"title": "t", "content": "c"}, headers=admin.headers), 422, "VALIDATION_ERROR"
    )
    assert_error(
        admin.api.client.post("/api/v1/admin/projects?x=1", json=project_body(), headers=admin.headers),
        400,
        "UNKNOWN_QUERY_PARAMETER",
    )
    assert admin.count("projects") == 0


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
)
values = scalars | st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "\x00", "solar", "US", "1e400"])
fields = st.fixed_dictionaries(
    {},
    optional={k: values for k in project_body()}
    | {"location": st.dictionaries(st.sampled_from(["country", "city", "latitude", "longitude"]), values)},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=fields)
def test_any_body_gets_an_envelope_never_a_server_error_and_a_refusal_stores_nothing(
    admin: Admin, changes: dict[str, Any]
) -> None:
    before = admin.count("projects"), admin.count("project_intents")
    answer = admin.api.client.post("/api/v1/admin/projects", json=project_body() | changes, headers=admin.headers)
    assert answer.status_code < 500, answer.text
    envelope = answer.json()
    assert envelope["success"] is (answer.status_code < 400)
    if answer.status_code >= 400:
        assert envelope["error"]["code"].isupper()
        assert (admin.count("projects"), admin.count("project_intents")) == before
    else:
        assert (admin.count("projects"), admin.count("project_intents")) == (before[0] + 1, before[1] + 1)
