"""All SQL of KYC: users locked for a decision, records, webhook events stored once, and what approval allows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.kyc.providers.base import WebhookEvent
from core.models import CustodialAccount, KycRecord, KycWebhookEvent, User, UserWallet


def user_for_update(session: Session, user_id: uuid.UUID) -> User | None:
    return session.scalars(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()


def add_record(
    session: Session,
    *,
    user_id: uuid.UUID,
    provider: str,
    applicant_id: str,
    check_id: str,
    data: dict[str, Any],
    now: datetime,
) -> KycRecord:
    record = KycRecord(
        user_id=user_id,
        provider=provider,
        provider_applicant_id=applicant_id,
        provider_check_id=check_id,
        status="submitted",
        verification_data=data,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def latest_record(session: Session, user_id: uuid.UUID) -> KycRecord | None:
    return session.scalars(
        select(KycRecord).where(KycRecord.user_id == user_id).order_by(KycRecord.created_at.desc()).limit(1)
    ).first()


def record_by_check(session: Session, provider: str, check_id: str, *, lock: bool = False) -> KycRecord | None:
    stmt = select(KycRecord).where(KycRecord.provider == provider, KycRecord.provider_check_id == check_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).one_or_none()


def store_event(
    session: Session, provider: str, event: WebhookEvent, outcome: str, record_id: uuid.UUID | None
) -> bool:
    """True when the event is new; a replay (same provider event id) inserts nothing."""
    stmt = (
        insert(KycWebhookEvent)
        .values(
            provider=provider,
            event_id=event.event_id,
            resource_type=event.resource_type,
            action=event.action,
            object_id=event.object_id,
            payload=event.payload,
            outcome=outcome,
            kyc_record_id=record_id,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(KycWebhookEvent.event_id)
    )
    return session.execute(stmt).scalar() is not None


def event_exists(session: Session, provider: str, event_id: str) -> bool:
    return session.get(KycWebhookEvent, (provider, event_id)) is not None


def wallet_addresses(session: Session, user_id: uuid.UUID) -> list[str]:
    return list(session.scalars(select(UserWallet.address).where(UserWallet.user_id == user_id)))


def ensure_custodial_account(session: Session, user_id: uuid.UUID) -> str | None:
    """The user's custodial account row (its index taken now); its address, when the relayer derived it already."""
    session.execute(insert(CustodialAccount).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"]))
    return session.scalar(select(CustodialAccount.address).where(CustodialAccount.user_id == user_id))
