"""Sign-In with Ethereum nonces: issued by the API, each consumed at most once by a verified message.

Kept in PostgreSQL (not Redis) so that any API replica can verify a message whose nonce another replica issued;
consumption is one conditional UPDATE, so two verifies racing with one nonce cannot both win."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class SiweNonce(Base):
    __tablename__ = "siwe_nonces"
    __table_args__ = (Index("ix_siwe_nonces_expires_at", "expires_at"),)  # purging expired nonces

    # EIP-4361: at least 8 alphanumeric characters; ours are 32 random ones.
    nonce: Mapped[str] = mapped_column(String(64, collation="C"), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
