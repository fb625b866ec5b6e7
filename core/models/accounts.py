"""User accounts (the seed's `users` table), their roles and permissions (RBAC), and refresh-token families.

A refresh token is stored only as its SHA-256: a copy of the database yields no usable token. Each login starts a
family; every refresh marks the presented token used and issues the next one in the same family. A token presented
a second time means someone else holds a copy: the whole family is revoked (access tokens carry the family id, so
they stop working at once too).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base

KYC_STATUSES = ("pending", "submitted", "verified", "rejected")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("kyc_status IN ('pending', 'submitted', 'verified', 'rejected')", name="kyc_status_known"),
        CheckConstraint("failed_login_count >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    # Lowercased on the way in, so the unique constraint is case-insensitive. Nullable: an account that signs in
    # with a wallet alone (SIWE) has none, and erasure (GDPR) clears it while the row keeps the history's keys.
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # ISO 3166-1 alpha-2, for regulatory limits only (the seed's data minimisation).
    country: Mapped[str | None] = mapped_column(String(2))
    kyc_status: Mapped[str] = mapped_column(String(50), server_default="pending")
    kyc_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_login_count: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when the user erased their account (DELETE /users/me): the row stays as an anonymous tombstone so that
    # investments and the ledger keep their keys; it can no longer sign in.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Role(Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class Permission(Base):
    """A dotted name (`admin.users.read`): area, resource, action."""

    __tablename__ = "permissions"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class RolePermission(Base):
    __tablename__ = "role_permissions"
    __table_args__ = (PrimaryKeyConstraint("role", "permission", name="pk_role_permissions"),)

    role: Mapped[str] = mapped_column(String(64), ForeignKey("roles.name", ondelete="CASCADE"))
    permission: Mapped[str] = mapped_column(String(128), ForeignKey("permissions.name", ondelete="CASCADE"))


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (PrimaryKeyConstraint("user_id", "role", name="pk_user_roles"),)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64), ForeignKey("roles.name", ondelete="CASCADE"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RefreshTokenFamily(Base):
    """One login: every refresh token rotated out of it belongs here. Revoked on logout or on reuse."""

    __tablename__ = "refresh_token_families"
    __table_args__ = (Index("ix_refresh_token_families_user_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # logout, reuse, password_change, admin: why the family ended.
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family_id", "family_id"),)

    # sha256 of the opaque token, hex: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64, collation="C"), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("refresh_token_families.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when the token was exchanged for its successor; a second exchange is a reuse.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
