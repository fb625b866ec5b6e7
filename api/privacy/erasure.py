"""Account erasure (`DELETE /users/me`): what keeps an account from being erased, and the steps that erase it.

Like the export's sections, erasing what a new area stores about users is one function: decorate
`def name(session, user, now) -> None` with `@step("name")`. Steps run in order inside the request's transaction,
so either all of them happen or none does; the anonymizing of the users row runs last (`finish`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.privacy import repository
from core.models import User

Step = Callable[[Session, User, datetime], None]
STEPS: dict[str, Step] = {}


def step(name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        STEPS[name] = fn
        return fn

    return register


def blockers(session: Session, user: User, now: datetime) -> list[dict[str, Any]]:
    """Why the account cannot go yet: investments under way, and tokens held at its addresses per the index."""
    found: list[dict[str, Any]] = [
        {"reason": "active_investment", "investment_id": str(i.id), "status": i.status}
        for i in repository.active_investments(session, user.id, now)
    ]
    found += [
        {
            "reason": "tokens_held",
            "chain_id": b.chain_id,
            "project_id": int(b.project_id),
            "address": b.holder,
            "balance": int(b.balance),
        }
        for b in repository.holdings(session, repository.addresses(session, user.id))
    ]
    return found


def erase(session: Session, user: User, now: datetime) -> None:
    for fn in STEPS.values():
        fn(session, user, now)
    finish(session, user, now)


def finish(session: Session, user: User, now: datetime) -> None:
    """Investments keep their rows and amounts, pointing at this tombstone; custodial_accounts keeps the address
    the ledger knows (it holds nothing: an account holding tokens is not erased)."""
    repository.anonymize_user(session, user, now)


# ----- the steps ---------------------------------------------------------------------------------
@step("wallets")
def _wallets(session: Session, user: User, _now: datetime) -> None:
    repository.unlink_wallets(session, user.id)


@step("sessions")
def _sessions(session: Session, user: User, now: datetime) -> None:
    repository.end_sessions(session, user.id, now)


@step("roles")
def _roles(session: Session, user: User, _now: datetime) -> None:
    repository.drop_roles(session, user.id)


@step("notifications")
def _notifications(session: Session, user: User, _now: datetime) -> None:
    repository.skip_pending_notifications(session, user.id)


@step("kyc_records")
def _kyc(session: Session, user: User, _now: datetime) -> None:
    repository.delete_rows_of(session, "kyc_records", user.id)


@step("investor_profile")
def _investor_profile(session: Session, user: User, _now: datetime) -> None:
    repository.delete_rows_of(session, "investor_profiles", user.id)
