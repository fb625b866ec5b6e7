"""GET /users/me/data-export: everything held about the caller, nothing of anyone else, no secret."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import RefreshToken, User
from tests.api.conftest import Api, bearer
from tests.api.privacy.conftest import custodial, distribution_leaf, hold, invest, link_wallet

URL = "/api/v1/users/me/data-export"


def _someone(api: Api) -> tuple[dict[str, object], str, dict[str, str]]:
    user, token = api.user_with_token()
    uid = str(user["id"])
    places = {"wallet": link_wallet(api.engine, uid), "custodial": custodial(api.engine, uid)}
    places["investment"] = invest(api.engine, uid, "paid", "minting", "completed", amount_cents=4321)
    hold(api.engine, places["custodial"], 4321)
    distribution_leaf(api.engine, uid, places["custodial"], 987)
    return user, token, places


def test_export_holds_the_callers_data_and_nothing_of_another_user(api: Api) -> None:
    me, token, mine = _someone(api)
    other, _other_token, theirs = _someone(api)
    answer = api.client.get(URL, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]

    assert data["profile"]["email"] == me["email"] and data["profile"]["id"] == me["id"]
    assert data["roles"] == ["investor"]
    assert [w["address"] for w in data["wallets"]] == [mine["wallet"]]
    assert data["custodial_account"]["address"] == mine["custodial"]
    [investment] = data["investments"]
    assert investment["id"] == mine["investment"] and investment["amount_cents"] == 4321
    assert [c["to_status"] for c in investment["status_history"]] == ["pending_payment", "paid", "minting", "completed"]
    assert [(h["holder"], h["balance"]) for h in data["holdings"]] == [(mine["custodial"], 4321)]
    assert len(data["sessions"]) == 1 and len(data["sessions"][0]["refresh_tokens"]) == 1
    assert data["login"]["has_password"] is True
    assert [(d["account"], d["amount_cents"]) for d in data["distributions"]] == [(mine["custodial"], 987)]

    text = json.dumps(data)
    for value in (str(other["id"]), str(other["email"]), *theirs.values()):
        assert value not in text


def test_export_carries_no_password_or_token_hash(api: Api) -> None:
    me, token = api.user_with_token()
    api.tokens(str(me["email"]))  # a second login: two sessions
    answer = api.client.get(URL, headers=bearer(token))
    text = answer.text
    with Session(api.engine) as session:
        user = session.get(User, uuid.UUID(str(me["id"])))
        assert user is not None and user.password_hash is not None
        hashes = list(session.scalars(select(RefreshToken.token_hash)))
    assert len(hashes) == 2
    assert user.password_hash not in text and "password_hash" not in text
    assert not any(h in text for h in hashes) and "token_hash" not in text
    assert len(answer.json()["data"]["sessions"]) == 2


def test_export_needs_a_signed_in_caller(api: Api) -> None:
    answer = api.client.get(URL)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_export_amounts_are_exact_integers_never_floats(api: Api) -> None:
    me, token = api.user_with_token()
    where = custodial(api.engine, str(me["id"]))
    hold(api.engine, where, 10**30 + 7)  # beyond a float's precision
    data = api.client.get(URL, headers=bearer(token)).json()["data"]
    assert data["holdings"][0]["balance"] == 10**30 + 7
