"""The data export (`GET /users/me/data-export`): everything held about a user, as a registry of sections.

Adding what a new area stores about users is one function: decorate `def name(session, user) -> value` with
`@section("name")` (values may hold datetimes, UUIDs and Decimals: `plain` makes them JSON). A section never
returns secrets (password or token hashes) nor anything of another user."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from api.accounts import repository as accounts
from api.privacy import repository
from core.models import User

Section = Callable[[Session, User], Any]
SECTIONS: dict[str, Section] = {}


def section(name: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        SECTIONS[name] = fn
        return fn

    return register


def export(session: Session, user: User) -> dict[str, Any]:
    return {name: plain(fn(session, user)) for name, fn in SECTIONS.items()}


def plain(value: Any) -> Any:
    """JSON values; amounts stay exact (an integral Decimal as an int, any other as a string, never a float)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def columns(row: object, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    return {a.key: getattr(row, a.key) for a in inspect(row).mapper.column_attrs if a.key not in without}


# ----- the sections ------------------------------------------------------------------------------
@section("profile")
def _profile(_session: Session, user: User) -> dict[str, Any]:
    return columns(user, without=("password_hash", "failed_login_count", "locked_until", "last_login_at"))


@section("login")
def _login(_session: Session, user: User) -> dict[str, Any]:
    return {
        "has_password": user.password_hash is not None,
        "failed_login_count": user.failed_login_count,
        "locked_until": user.locked_until,
        "last_login_at": user.last_login_at,
    }


@section("roles")
def _roles(session: Session, user: User) -> list[str]:
    return accounts.role_names(session, user.id)


@section("wallets")
def _wallets(session: Session, user: User) -> list[dict[str, Any]]:
    return [columns(w, without=("user_id",)) for w in repository.wallets(session, user.id)]


@section("custodial_account")
def _custodial(session: Session, user: User) -> dict[str, Any] | None:
    account = repository.custodial_account(session, user.id)
    return None if account is None else columns(account, without=("user_id",))


@section("investments")
def _investments(session: Session, user: User) -> list[dict[str, Any]]:
    found = repository.investments(session, user.id)
    history: dict[uuid.UUID, list[dict[str, Any]]] = {i.id: [] for i in found}
    for change in repository.status_history(session, list(history)):
        history[change.investment_id].append(columns(change, without=("id", "investment_id")))
    return [columns(i) | {"status_history": history[i.id]} for i in found]


@section("holdings")
def _holdings(session: Session, user: User) -> list[dict[str, Any]]:
    return [columns(b) for b in repository.holdings(session, repository.addresses(session, user.id))]


@section("distributions")
def _distributions(session: Session, user: User) -> list[dict[str, Any]]:
    """The user's leaves of distributions (amount, proof); the proof is the user's own, public by design."""
    return [columns(d, without=("user_id",)) for d in repository.distributions(session, user.id)]


@section("sessions")
def _sessions(session: Session, user: User) -> list[dict[str, Any]]:
    """Logins and their refresh tokens' times: never the hashes."""
    found = repository.families(session, user.id)
    tokens: dict[uuid.UUID, list[dict[str, Any]]] = {f.id: [] for f in found}
    for token in repository.refresh_tokens(session, list(tokens)):
        tokens[token.family_id].append(columns(token, without=("token_hash", "family_id")))
    return [columns(f, without=("user_id",)) | {"refresh_tokens": tokens[f.id]} for f in found]


@section("notifications")
def _notifications(session: Session, user: User) -> list[dict[str, Any]]:
    return [columns(n, without=("user_id",)) for n in repository.notifications(session, user.id)]


@section("kyc_records")
def _kyc(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in row.items() if k != "user_id"} for row in repository.rows_of(session, "kyc_records", user.id)
    ]


@section("investor_profile")
def _investor_profile(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in row.items() if k != "user_id"}
        for row in repository.rows_of(session, "investor_profiles", user.id)
    ]
