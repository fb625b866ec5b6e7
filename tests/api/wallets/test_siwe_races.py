"""Requests racing with one nonce or one new wallet: the database decides (a conditional UPDATE, an advisory lock
per address), never the interleaving."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import SiweNonce, User, UserWallet
from tests.api.test_races import race
from tests.api.wallets.conftest import Siwe, counts


def test_two_verifies_with_one_nonce_at_once_sign_in_once(siwe: Siwe, fresh_account: LocalAccount) -> None:
    body = siwe.signed(fresh_account)
    answers = race(siwe.api, [lambda c: c.post("/api/v1/auth/siwe/verify", json=body) for _ in range(2)])
    assert sorted(a.status_code for a in answers) == [200, 401]
    assert [a.json()["error"]["code"] for a in answers if a.status_code == 401] == ["SIWE_NONCE_USED"]
    assert counts(siwe.api.engine) == {"users": 1, "wallets": 1, "consumed": 1}


def test_one_new_wallet_signing_in_twice_at_once_gets_one_account(siwe: Siwe, fresh_account: LocalAccount) -> None:
    bodies = [siwe.signed(fresh_account) for _ in range(3)]  # three nonces
    answers = race(siwe.api, [lambda c, b=b: c.post("/api/v1/auth/siwe/verify", json=b) for b in bodies])
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert len({a.json()["data"]["user"]["id"] for a in answers}) == 1
    with Session(siwe.api.engine) as db:
        assert db.scalar(select(func.count()).select_from(User)) == 1
        assert db.scalar(select(func.count()).select_from(UserWallet)) == 1
        assert db.scalar(select(func.count()).where(SiweNonce.consumed_at.is_not(None))) == 3


def test_two_accounts_linking_one_wallet_at_once_one_gets_it(siwe: Siwe, fresh_account: LocalAccount) -> None:
    tokens = [siwe.api.user_with_token()[1] for _ in range(2)]
    bodies = [siwe.signed(fresh_account) for _ in tokens]
    answers = race(
        siwe.api,
        [
            lambda c, b=b, t=t: c.post("/api/v1/users/me/wallets", json=b, headers={"Authorization": f"Bearer {t}"})
            for b, t in zip(bodies, tokens, strict=True)
        ],
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert [a.json()["error"]["code"] for a in answers if a.status_code == 409] == ["WALLET_LINKED_ELSEWHERE"]
