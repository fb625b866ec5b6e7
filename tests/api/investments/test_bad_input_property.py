"""Whatever JSON arrives at POST /investments and PUT /users/me/investor-profile, the answer is an envelope with a
4xx (or the success it claims), never a 5xx, and a refused request stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api
from tests.api.investments.support import add_project, count, investor

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
)
tricky = st.sampled_from(
    ["25.00", "0.10", "10", "99999999999.99", "<script>", "' OR 1=1 --", "\x00", "card", "crypto", "0x" + "ab" * 20]
)
values = scalars | tricky
ints = st.integers(min_value=-(10**20), max_value=10**20)


@pytest.fixture
def ready(invest_api: Api) -> Iterator[tuple[Api, dict[str, str], str]]:
    project = add_project(invest_api.engine, 51, 10**9)
    _, headers = investor(invest_api)
    yield invest_api, headers, str(project)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_investment_body_gets_an_envelope_and_never_a_server_error(
    ready: tuple[Api, dict[str, str], str], data: st.DataObject
) -> None:
    api, headers, project = ready
    body = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "project_id": st.just(project) | values,
                "amount": values,
                "amount_cents": ints | values,
                "method": values,
                "wallet": values,
                "extra": values,
            },
        )
        | values
    )
    before = count(api.engine, "investments")
    answer = api.client.post("/api/v1/investments", json=body, headers=headers)
    assert answer.status_code < 500, answer.text
    envelope = answer.json()
    assert envelope["success"] is (answer.status_code < 400)
    if answer.status_code >= 400:
        assert envelope["error"]["code"].isupper()
        assert count(api.engine, "investments") == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.fixed_dictionaries({}, optional={"annual_income_cents": ints | values, "net_worth_cents": ints | values})
)
def test_any_declaration_gets_an_envelope_and_never_a_server_error(
    ready: tuple[Api, dict[str, str], str], body: dict[str, Any]
) -> None:
    api, headers, _ = ready
    answer = api.client.put("/api/v1/users/me/investor-profile", json=body, headers=headers)
    assert answer.status_code < 500, answer.text
    assert answer.json()["success"] is (answer.status_code < 400)
