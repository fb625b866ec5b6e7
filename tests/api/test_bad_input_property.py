"""Whatever JSON arrives at the account routes, the answer is an envelope with a 4xx (or the success it claims),
never a 5xx, and a refused registration stores nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api
from tests.api.test_conventions import users_count

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
field_values = scalars | st.sampled_from(
    ["<script>alert(1)</script>", "' OR 1=1 --", "a@example.org", "DE", "\x00", "Correct-Horse-Battery-42"]
)
bodies = json_values | st.fixed_dictionaries(
    {}, optional={"email": field_values, "password": field_values, "country": field_values, "mode": field_values}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=bodies, path=st.sampled_from(["/api/v1/users/register", "/api/v1/users/login", "/api/v1/users/token/refresh"])
)
def test_any_json_body_gets_an_enveloped_answer_and_never_a_server_error(api: Api, body: Any, path: str) -> None:
    before = users_count(api.engine)
    answer = api.client.post(path, json=body)
    assert answer.status_code < 500, answer.text
    envelope = answer.json()
    assert envelope["success"] is (answer.status_code < 400)
    assert set(envelope["meta"]) >= {"timestamp", "version", "request_id"}
    if answer.status_code >= 400:
        assert envelope["error"]["code"].isupper()
        assert users_count(api.engine) == before
