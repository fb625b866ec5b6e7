"""The investment record: created with a recomputable payment reference, every status change in its history."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.chain.payment_ref import investment_payment_ref, ref_hex
from core.investments import (
    InvalidInvestment,
    create_investment,
    find_by_payment_ref,
    get_investment,
    set_status,
    status_history,
)
from core.models.investments import Investment

WALLET = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def _card(session: Session) -> Investment:
    return create_investment(
        session, chain_id=31337, project_id=1, amount_cents=1000, method="card", user_id=uuid.uuid4()
    )


def test_a_crypto_investment_carries_the_reference_its_id_derives_and_pays_to_its_wallet(clean_db: Engine) -> None:
    with Session(clean_db) as session, session.begin():
        inv = create_investment(
            session, chain_id=31337, project_id=1, amount_cents=2500, method="crypto", wallet=WALLET
        )
        investment_id = inv.id
    with Session(clean_db) as session:
        stored = get_investment(session, investment_id)
        assert stored is not None
        assert stored.payment_ref == ref_hex(investment_payment_ref(investment_id))
        assert stored.recipient == WALLET.lower() and stored.status == "pending_payment"
        assert find_by_payment_ref(session, stored.payment_ref.upper().replace("0X", "0x")) is not None
        assert [(c.from_status, c.to_status, c.cause) for c in status_history(session, investment_id)] == [
            (None, "pending_payment", "created")
        ]


def test_each_status_change_is_recorded_once_with_its_cause(clean_db: Engine) -> None:
    with Session(clean_db) as session, session.begin():
        inv = _card(session)
        assert set_status(session, inv, "paid", "stripe:evt_1")
        assert not set_status(session, inv, "paid", "stripe:evt_1 again")
        assert set_status(session, inv, "minting", "outbox", {"tx": "x"})
        history = status_history(session, inv.id)
    assert [(c.from_status, c.to_status, c.cause) for c in history] == [
        (None, "pending_payment", "created"),
        ("pending_payment", "paid", "stripe:evt_1"),
        ("paid", "minting", "outbox"),
    ]
    assert history[2].details == {"tx": "x"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount_cents": 999, "method": "card", "user_id": uuid.uuid4()}, "minimum"),
        ({"amount_cents": 1000, "method": "crypto"}, "wallet"),
        ({"amount_cents": 1000, "method": "card"}, "user account"),
        ({"amount_cents": 1000, "method": "cash", "user_id": uuid.uuid4()}, "unknown payment method"),
    ],
)
def test_an_investment_the_platform_cannot_take_is_refused_before_anything_is_stored(
    clean_db: Engine, kwargs: dict[str, object], message: str
) -> None:
    with Session(clean_db) as session, session.begin():
        with pytest.raises(InvalidInvestment, match=message):
            create_investment(session, chain_id=31337, project_id=1, **kwargs)  # type: ignore[arg-type]  # parametrized


def test_the_database_refuses_an_unknown_status_even_when_code_bypasses_set_status(clean_db: Engine) -> None:
    with Session(clean_db) as session:
        inv = _card(session)
        inv.status = "lost"
        with pytest.raises(IntegrityError):
            session.flush()
