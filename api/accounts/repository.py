"""All SQL of accounts: users, roles and permissions, refresh-token families. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models import (
    Permission,
    RefreshToken,
    RefreshTokenFamily,
    Role,
    RolePermission,
    User,
    UserRole,
)


# ----- users -------------------------------------------------------------------------------------
def add_user(session: Session, *, email: str, password_hash: str, country: str, now: datetime) -> User | None:
    """The new user, or None when the email is taken (decided by the unique constraint, so two racing
    registrations cannot both succeed)."""
    stmt = (
        insert(User)
        .values(email=email, password_hash=password_hash, country=country, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[User.email])
        .returning(User.id)
    )
    user_id = session.execute(stmt).scalar_one_or_none()
    return None if user_id is None else session.get(User, user_id)


def user_by_email_for_update(session: Session, email: str) -> User | None:
    """Locked: concurrent failed logins each count (none is lost to a race)."""
    return session.scalars(select(User).where(User.email == email).with_for_update()).first()


def user_by_id(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def users_query() -> Select[User]:
    return select(User).order_by(User.created_at, User.id)


# ----- roles -------------------------------------------------------------------------------------
def sync_roles(session: Session, permissions: dict[str, str], roles: dict[str, tuple[str, Iterable[str]]]) -> None:
    """Insert the given permissions, roles and grants where missing (idempotent; never removes a grant)."""
    if permissions:
        session.execute(
            insert(Permission)
            .values([{"name": n, "description": d} for n, d in permissions.items()])
            .on_conflict_do_nothing()
        )
    if roles:
        session.execute(
            insert(Role).values([{"name": n, "description": d} for n, (d, _) in roles.items()]).on_conflict_do_nothing()
        )
    grants = [{"role": r, "permission": p} for r, (_, ps) in roles.items() for p in ps]
    if grants:
        session.execute(insert(RolePermission).values(grants).on_conflict_do_nothing())


def grant_role(session: Session, user_id: uuid.UUID, role: str) -> None:
    session.execute(insert(UserRole).values(user_id=user_id, role=role).on_conflict_do_nothing())


def role_names(session: Session, user_id: uuid.UUID) -> list[str]:
    return list(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id).order_by(UserRole.role)))


def roles_of(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    ids = list(user_ids)
    found: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids)).order_by(UserRole.role)
        )
        for user_id, role in rows:
            found[user_id].append(role)
    return found


def has_permission(session: Session, user_id: uuid.UUID, permission: str) -> bool:
    stmt = (
        select(RolePermission.permission)
        .join(UserRole, UserRole.role == RolePermission.role)
        .where(UserRole.user_id == user_id, RolePermission.permission == permission)
        .limit(1)
    )
    return session.scalar(stmt) is not None


# ----- refresh-token families --------------------------------------------------------------------
def add_family(session: Session, user_id: uuid.UUID, now: datetime) -> RefreshTokenFamily:
    family = RefreshTokenFamily(id=uuid.uuid4(), user_id=user_id, created_at=now)
    session.add(family)
    session.flush()
    return family


def add_refresh_token(
    session: Session, *, token_hash: str, family_id: uuid.UUID, now: datetime, expires_at: datetime
) -> None:
    session.add(RefreshToken(token_hash=token_hash, family_id=family_id, issued_at=now, expires_at=expires_at))
    session.flush()


def refresh_token_for_update(session: Session, token_hash: str) -> tuple[RefreshToken, RefreshTokenFamily] | None:
    """The token and its family, both locked: two refreshes racing with one token cannot both rotate it."""
    stmt = (
        select(RefreshToken, RefreshTokenFamily)
        .join(RefreshTokenFamily, RefreshTokenFamily.id == RefreshToken.family_id)
        .where(RefreshToken.token_hash == token_hash)
        .with_for_update()
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], row[1])


def family(session: Session, family_id: uuid.UUID) -> RefreshTokenFamily | None:
    return session.get(RefreshTokenFamily, family_id)


def revoke_family(session: Session, family_id: uuid.UUID, reason: str, now: datetime) -> None:
    session.execute(
        update(RefreshTokenFamily)
        .where(RefreshTokenFamily.id == family_id, RefreshTokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
