"""A distribution, once final, is told to every user who held the project at its snapshot block: one email per
user (however many of their addresses held it), none to holders without an account or an email."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from api.notifications.job import collect
from api.notifications.mailer import Mailer
from api.notifications.worker import run_once
from terra.local.smtp_sink import FakeSmtpSink
from tests.api.notifications.conftest import POLICY, ZERO, World, address


def test_a_final_distribution_emails_each_holder_at_the_snapshot_once(
    world: World, sink: FakeSmtpSink, mailer: Mailer
) -> None:
    card, metamask, both, sold, late = (world.user() for _ in range(5))
    nobody = address()  # a holder no account knows
    wallet_only = world.user(wallet_only=True)
    world.transfer(10, ZERO, world.custodial(card), 3000)
    world.transfer(11, ZERO, world.wallet(metamask), 1000)
    world.transfer(12, ZERO, world.custodial(both), 500)
    world.transfer(12, ZERO, world.wallet(both), 500)
    world.transfer(13, ZERO, nobody, 4000)
    world.transfer(13, ZERO, world.wallet(wallet_only), 500)
    sold_wallet = world.wallet(sold)
    world.transfer(14, ZERO, sold_wallet, 500)
    world.transfer(15, sold_wallet, nobody, 500)  # sold before the snapshot
    world.transfer(25, ZERO, world.wallet(late), 700)  # bought after it
    world.distribution(block=30, snapshot=20, final=False)

    run_once(world.sessions, mailer, POLICY)
    assert sink.messages() == []  # not final: a reorg could still take it back
    world.finalize_distributions()
    for _ in range(2):
        run_once(world.sessions, mailer, POLICY)

    by_recipient = {m["To"]: m.get_content() for m in sink.messages()}
    assert sorted(by_recipient) == sorted(world.email_of(u) for u in (card, metamask, both))
    assert len(sink.messages()) == 3
    assert "you held 3,000 of 10,000 units (30.00%)" in by_recipient[world.email_of(card)]
    assert "you held 1,000 of 10,000 units (10.00%)" in by_recipient[world.email_of(both)]
    # the merkle tree's allocation of the 1 USDC total: 30% and 10%, to the unit
    assert "Your share: 0.300000 USDC of 1.000000 USDC" in by_recipient[world.email_of(card)]
    assert "Your share: 0.100000 USDC of 1.000000 USDC" in by_recipient[world.email_of(both)]


def test_a_distribution_nobody_can_be_told_about_is_worked_out_once(world: World) -> None:
    world.transfer(10, ZERO, address(), 1000)
    world.distribution(block=30, snapshot=20)
    with world.sessions.begin() as session:
        assert collect(session, datetime.now(UTC)) == 0
    with world.sessions() as session:
        assert session.execute(text("SELECT recipients FROM notification_subjects")).scalars().all() == [0]
