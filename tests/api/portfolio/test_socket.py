"""WS /ws/portfolio: 1008 for every bad credential; an update pushed when the real indexer store commits a batch
touching the user (its NOTIFY, through the app's one LISTEN connection), none for a batch that does not; every
replica pushes; investment status changes push; a lost LISTEN connection comes back and resyncs everyone."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api.accounts.cookies import ACCESS_COOKIE
from api.accounts.tokens import issue_access_token
from core.investments import create_investment, set_status
from tests.api.conftest import STRONG_PASSWORD, TEST_JWT_KEY, Api, bearer
from tests.api.portfolio.conftest import HOLDERS, Investor, Ledger, investor, link_wallet
from tests.api.test_auth_failures import claims_of
from tests.indexer.synthetic import CHAIN_ID, allowlisted, created, minted

ME, ME_WALLET, OTHER = HOLDERS[:3]
# Bounds on waiting, not speed figures: how long "no update came" is watched for, and how long an expected update
# may take before the test fails instead of hanging.
QUIET_SECONDS = 1.0
PATIENCE_SECONDS = 30.0


def settle(*clients: TestClient) -> None:
    """Wait until the apps' listeners have dispatched every notification committed so far (the fixtures' own: adding
    addresses notifies), so that a socket opened now hears only what the test does next. Notifications arrive in
    commit order, so once a marker committed now was dispatched, everything before it was. (A marker reaching a
    socket whose first update is being built would wake it too: settle every app before opening any socket.)"""
    marker = json.dumps({"users": [], "marker": uuid.uuid4().hex})
    with clients[0].app.state.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.exec_driver_sql("SELECT pg_notify('terra_addresses', %s)", (marker,))
    deadline = time.monotonic() + PATIENCE_SECONDS
    for client in clients:
        hub = client.app.state.portfolio_hub  # type: ignore[attr-defined]
        while hub.last_payload != marker:
            assert time.monotonic() < deadline, f"the listener did not dispatch a marker within {PATIENCE_SECONDS} s"
            time.sleep(0.01)


def socket(client: TestClient, token: str | None, *, settled: bool = False, **kwargs: Any) -> WebSocketTestSession:
    if not settled:
        settle(client)
    return client.websocket_connect("/ws/portfolio" + (f"?token={token}" if token else ""), **kwargs)


def within(ws: WebSocketTestSession, seconds: float) -> dict[str, Any] | None:
    """The next message if one comes within `seconds`, else None (the session's own receive waits forever)."""

    async def receive() -> dict[str, Any] | None:
        with anyio.move_on_after(seconds):
            message: dict[str, Any] = await ws._send_rx.receive()
            return message
        return None

    return ws.portal.call(receive)


def update(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next update; WebSocketDisconnect if the server closes instead; a failure (not a hang) if none comes."""
    message = within(ws, PATIENCE_SECONDS)
    assert message is not None, f"no message within {PATIENCE_SECONDS} s"
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(code=message.get("code", 1000), reason=message.get("reason", ""))
    body: dict[str, Any] = json.loads(message["text"])
    assert body["type"] == "portfolio_update"
    return body


def refused(client: TestClient, token: str | None, **kwargs: Any) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed, socket(client, token, **kwargs) as ws:
        update(ws)
    assert closed.value.code == 1008
    return closed.value


def balances(message: dict[str, Any]) -> dict[str, str]:
    return {h["token_id"]: h["balance"] for h in message["data"]["holdings"]}


@pytest.fixture
def me(api: Api, ledger: Ledger) -> Investor:
    ledger.commit([created(1, 1_000_000)])
    return investor(api, ME, ME_WALLET)


def test_bad_missing_expired_or_revoked_tokens_close_with_1008(api: Api, me: Investor) -> None:
    assert refused(api.client, None).reason == "NOT_AUTHENTICATED"
    assert refused(api.client, "garbage").reason == "INVALID_TOKEN"
    family = uuid.UUID(str(claims_of(me.token)["sid"]))
    expired = issue_access_token(
        TEST_JWT_KEY,
        user_id=uuid.UUID(me.id),
        family_id=family,
        now=datetime.now(UTC) - timedelta(hours=2),
        lifetime=timedelta(hours=1),
    )
    assert refused(api.client, expired).reason == "TOKEN_EXPIRED"
    other_key = issue_access_token(
        "another-key-" + "x" * 40,
        user_id=uuid.UUID(me.id),
        family_id=family,
        now=datetime.now(UTC),
        lifetime=timedelta(hours=1),
    )
    assert refused(api.client, other_key).reason == "INVALID_TOKEN"
    refresh = api.tokens(api.register()["email"])["refresh_token"]
    assert refused(api.client, refresh).reason == "INVALID_TOKEN"
    assert refused(api.client, f"{me.token}&as=admin").reason == "UNKNOWN_QUERY_PARAMETER"
    assert api.client.post("/api/v1/users/logout", headers=bearer(me.token)).status_code == 200
    assert refused(api.client, me.token).reason == "SESSION_REVOKED"


def test_connecting_sends_the_portfolio_as_get_gives_it(api: Api, ledger: Ledger, me: Investor) -> None:
    ledger.commit(minted(1, ME, 1_234, ledger.next_ref()))
    with socket(api.client, me.token) as ws:
        first = update(ws)
    served = api.client.get("/api/v1/portfolio", headers=bearer(me.token)).json()
    assert first["data"] == served["data"]
    assert first["causes"] == [{"kind": "connected"}]
    assert first["meta"]["indexed_block"] == served["meta"]["indexed_block"] == 2


def test_an_indexed_change_touching_the_user_is_pushed_and_others_are_not(
    api: Api, ledger: Ledger, me: Investor
) -> None:
    with socket(api.client, me.token) as ws:
        assert balances(update(ws)) == {}
        ledger.commit([*minted(1, OTHER, 500, ledger.next_ref()), allowlisted(ME, True)])  # not ME's holdings
        assert within(ws, QUIET_SECONDS) is None
        touching = ledger.commit(minted(1, ME_WALLET, 700, ledger.next_ref()))
        pushed = update(ws)
    # Notifications arrive in commit order: had the first batch pushed, its update would have come first.
    assert [c["to_block"] for c in pushed["causes"]] == [touching]
    assert pushed["causes"][0]["block_hash"] == ledger.block_hash(touching)
    assert balances(pushed) == {"1": "700"}
    assert pushed["meta"]["indexed_block"] == touching


def test_every_replica_pushes_the_same_commit(api: Api, ledger: Ledger, me: Investor, make_app: Any) -> None:
    with TestClient(make_app(), base_url="https://testserver") as replica:
        settle(api.client, replica)
        with socket(api.client, me.token, settled=True) as one, socket(replica, me.token, settled=True) as two:
            update(one), update(two)
            block = ledger.commit(minted(1, ME, 42, ledger.next_ref()))
            pushed = [update(one), update(two)]
    assert [balances(p) for p in pushed] == [{"1": "42"}, {"1": "42"}]
    assert [p["causes"][0]["to_block"] for p in pushed] == [block, block]


def test_an_investment_status_change_is_pushed(api: Api, me: Investor) -> None:
    with socket(api.client, me.token) as ws:
        update(ws)
        with Session(api.engine) as session, session.begin():
            made = create_investment(
                session, chain_id=CHAIN_ID, project_id=1, amount_cents=5_000, method="card", user_id=uuid.UUID(me.id)
            )
            made_id = made.id
        created_update = update(ws)
        with Session(api.engine) as session, session.begin():
            session.add(made)
            set_status(session, made, "paid", "test")
        paid_update = update(ws)
    assert created_update["causes"] == [{"kind": "investment"}]
    assert [(p["id"], p["status"]) for p in created_update["data"]["pending"]] == [(str(made_id), "pending_payment")]
    assert [(p["id"], p["status"]) for p in paid_update["data"]["pending"]] == [(str(made_id), "paid")]


def test_another_users_investment_is_not_pushed(api: Api, me: Investor, ledger: Ledger) -> None:
    other = investor(api, OTHER)
    with socket(api.client, me.token) as ws:
        update(ws)
        with Session(api.engine) as session, session.begin():
            create_investment(
                session, chain_id=CHAIN_ID, project_id=1, amount_cents=5_000, method="card", user_id=uuid.UUID(other.id)
            )
        assert within(ws, QUIET_SECONDS) is None
        block = ledger.commit(minted(1, ME, 1, ledger.next_ref()))
        assert [c.get("to_block") for c in update(ws)["causes"]] == [block]


@contextmanager
def fast_retry_app(make_app: Any) -> Iterator[TestClient]:
    with TestClient(make_app(api_realtime_retry_seconds=0.05), base_url="https://testserver") as client:
        yield client


def test_a_lost_listen_connection_reconnects_and_resyncs_everyone(
    api: Api, ledger: Ledger, me: Investor, make_app: Any
) -> None:
    with fast_retry_app(make_app) as client, socket(client, me.token) as ws:
        update(ws)
        listener = client.app.state.portfolio_listener  # type: ignore[attr-defined]
        with api.engine.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.backend_pid}).scalar()
        resync = update(ws)
        assert resync["causes"][0]["kind"] == "resync"
        block = ledger.commit(minted(1, ME, 9, ledger.next_ref()))  # and the new connection listens
        assert update(ws)["causes"] == [
            {
                "kind": "index",
                "change": "batch",
                "chain_id": CHAIN_ID,
                "from_block": block,
                "to_block": block,
                "block_hash": ledger.block_hash(block),
            }
        ]


def test_the_token_expiring_or_the_session_ending_closes_an_open_socket(api: Api, ledger: Ledger, me: Investor) -> None:
    family = uuid.UUID(str(claims_of(me.token)["sid"]))
    short = issue_access_token(
        TEST_JWT_KEY,
        user_id=uuid.UUID(me.id),
        family_id=family,
        now=datetime.now(UTC) - timedelta(seconds=3598),
        lifetime=timedelta(hours=1),
    )
    with pytest.raises(WebSocketDisconnect) as closed, socket(api.client, short) as ws:
        update(ws)
        update(ws)
    assert (closed.value.code, closed.value.reason) == (1008, "TOKEN_EXPIRED")

    second = api.tokens(api.client.get("/api/v1/users/me", headers=bearer(me.token)).json()["data"]["email"])
    with pytest.raises(WebSocketDisconnect) as closed, socket(api.client, second["access_token"]) as ws:
        update(ws)
        api.client.post("/api/v1/users/logout", headers=bearer(second["access_token"]))
        ledger.commit(minted(1, ME, 3, ledger.next_ref()))
        update(ws)
    assert (closed.value.code, closed.value.reason) == (1008, "SESSION_REVOKED")


def test_the_web_apps_session_cookie_works_from_its_own_origin_only(api: Api, me: Investor) -> None:
    email = api.client.get("/api/v1/users/me", headers=bearer(me.token)).json()["data"]["email"]
    assert api.login(email, STRONG_PASSWORD, mode="cookie").status_code == 200
    cookie = api.client.cookies.get(ACCESS_COOKIE)
    assert cookie
    api.client.cookies.clear()
    headers = {"cookie": f"{ACCESS_COOKIE}={cookie}", "origin": "https://testserver"}
    with socket(api.client, None, headers=dict(headers)) as ws:
        assert update(ws)["data"]["addresses"][0]["address"] == ME
    foreign = headers | {"origin": "https://evil.example"}
    assert refused(api.client, None, headers=foreign).reason == "NOT_AUTHENTICATED"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=st.text(min_size=1, max_size=300)
    | st.sampled_from(["' OR 1=1 --", "<script>alert(1)</script>", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
)
def test_any_token_but_a_valid_one_closes_with_1008(api: Api, token: str) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        api.client.websocket_connect("/ws/portfolio", params={"token": token}) as ws,
    ):
        update(ws)
    assert closed.value.code == 1008 and closed.value.reason in {"INVALID_TOKEN", "NOT_AUTHENTICATED"}


def test_a_new_address_is_pushed_and_then_followed(api: Api, ledger: Ledger) -> None:
    ledger.commit([created(1, 1_000_000), *minted(1, ME_WALLET, 300, ledger.next_ref())])
    me = investor(api, None)  # a card payer whose custodial address the relayer has not derived yet
    with socket(api.client, me.token) as ws:
        assert update(ws)["data"]["addresses"] == []
        with api.engine.begin() as conn:
            conn.execute(
                text("UPDATE custodial_accounts SET address = :a WHERE user_id = :u"), {"a": ME, "u": uuid.UUID(me.id)}
            )
        derived = update(ws)
        assert derived["causes"] == [{"kind": "addresses"}]
        assert [a["address"] for a in derived["data"]["addresses"]] == [ME]
        block = ledger.commit(minted(1, ME, 10, ledger.next_ref()))
        assert [c.get("to_block") for c in update(ws)["causes"]] == [block]
        link_wallet(api.engine, me.id, ME_WALLET)
        linked = update(ws)
    assert linked["causes"] == [{"kind": "addresses"}]
    assert balances(linked) == {"1": "310"}
