"""KYC decisions: who may start a check, what a provider's webhook changes, and what approval allows on chain.
Takes a Session and never commits (the request owns the transaction); raises the api.errors type of each refusal.

Approval (status verified) and the allowlist intents of the user's wallets and custodial address are written in
the same transaction as the webhook's record, so an approval is never seen without its intents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

import structlog
from sqlalchemy.orm import Session

from api import errors
from api.kyc import repository
from api.kyc.providers.base import (
    Check,
    Decision,
    KycProvider,
    ProviderRefusedInput,
    ProviderUnavailable,
    WebhookPayloadInvalid,
    WebhookSignatureInvalid,
    decide,
)
from api.kyc.schemas import KycStartIn, KycStartOut, KycStatus, KycStatusOut, WebhookOut
from core.compliance import queue_allow
from core.models import KycRecord, User

log = structlog.get_logger("api.kyc")


def start(session: Session, provider: KycProvider, user: User, data: KycStartIn, now: datetime) -> KycStartOut:
    """An applicant and a check at the provider, recorded; the user's status becomes submitted. Refused while a
    check is under way or once verified; after a rejection a new attempt starts afresh."""
    locked = repository.user_for_update(session, user.id)  # two starts at once: the second waits, then sees ours
    if locked is None:
        raise errors.NotAuthenticated()
    if locked.kyc_status == "submitted":
        raise errors.KycInProgress()
    if locked.kyc_status == "verified":
        raise errors.KycAlreadyVerified()
    try:
        applicant = provider.create_applicant(data.first_name, data.last_name)
        sdk_token = provider.sdk_token(applicant.id)
        check = provider.start_check(applicant.id)
    except ProviderRefusedInput as exc:
        raise errors.KycDetailsRefused(details={"provider_message": str(exc)}) from None
    except ProviderUnavailable:
        raise errors.KycProviderUnavailable() from None
    record = repository.add_record(
        session,
        user_id=locked.id,
        provider=provider.name,
        applicant_id=applicant.id,
        check_id=check.id,
        data=check.facts(),
        now=now,
    )
    locked.kyc_status, locked.updated_at = "submitted", now
    log.info("kyc_started", user_id=str(locked.id), record_id=str(record.id), check_id=check.id)
    return KycStartOut(
        status="submitted", provider=provider.name, applicant_id=applicant.id, check_id=check.id, sdk_token=sdk_token
    )


def status_of(session: Session, user: User) -> KycStatusOut:
    record = repository.latest_record(session, user.id)
    out = KycStatusOut(status=cast(KycStatus, user.kyc_status), verified_at=user.kyc_verified_at)
    if record is not None:
        out.provider, out.applicant_id, out.check_id = (
            record.provider,
            record.provider_applicant_id,
            record.provider_check_id,
        )
        out.record_id, out.submitted_at, out.decided_at = record.id, record.created_at, record.decided_at
    return out


def handle_webhook(
    session: Session, provider: KycProvider, body: bytes, headers: Mapping[str, str], now: datetime
) -> WebhookOut:
    """Verify, store once, act. A completed check is read back from the provider (the webhook only says that it
    completed) and decides the record. A completion for a check we do not know gets 404 and stores nothing: the
    provider retries, which also covers a webhook that overtakes the commit of its own start."""
    try:
        event = provider.parse_webhook(body, headers)
    except WebhookSignatureInvalid:
        raise errors.WebhookSignatureInvalid() from None
    except WebhookPayloadInvalid:
        raise errors.WebhookPayloadInvalid() from None
    if not event.completes_a_check:
        stored = repository.store_event(session, provider.name, event, "ignored", None)
        return WebhookOut(duplicate=not stored, outcome="ignored")
    found = repository.record_by_check(session, provider.name, event.object_id)
    if found is None:
        raise errors.KycCheckUnknown(details={"check_id": event.object_id})
    # Lock order user → record, as start() takes them.
    user = repository.user_for_update(session, found.user_id)
    record = repository.record_by_check(session, provider.name, event.object_id, lock=True)
    assert user is not None and record is not None  # a record's user cannot vanish (foreign key, cascade)
    # Under the record's lock nobody else handles this check's events: a stored event is a replay, and no call to
    # the provider is made for it.
    if repository.event_exists(session, provider.name, event.event_id):
        return WebhookOut(duplicate=True, outcome="duplicate")
    try:
        check = provider.retrieve_check(record.provider_check_id)
    except ProviderUnavailable:
        raise errors.KycProviderUnavailable() from None  # nothing stored: the provider's retry starts afresh
    if check.id != record.provider_check_id or check.applicant_id != record.provider_applicant_id:
        raise errors.KycProviderUnavailable("The identity provider answered for another check.")
    decision = decide(check)
    if decision is None:  # not over by the provider's own word: not stored, so that a later delivery still counts
        return WebhookOut(duplicate=False, outcome="in_progress")
    outcome = apply_decision(session, user, record, check, decision, now)
    if not repository.store_event(session, provider.name, event, outcome, record.id):
        raise errors.KycProviderUnavailable("The event was stored meanwhile; retry.")  # not reached under the lock
    log.info("kyc_webhook", event_id=event.event_id, record_id=str(record.id), outcome=outcome)
    return WebhookOut(duplicate=False, outcome=outcome)


def apply_decision(
    session: Session, user: User, record: KycRecord, check: Check, decision: Decision, now: datetime
) -> str:
    """What a finished check does to its record and user: applied, or stale (the record was decided before)."""
    if record.status != "submitted":
        return "stale"
    record.status, record.decided_at, record.verification_data = decision, now, check.facts()
    # One submitted record per user (a partial unique index): this one is the user's attempt under way.
    if user.kyc_status == "submitted":
        user.kyc_status, user.updated_at = decision, now
        if decision == "verified":
            record.verified_at = user.kyc_verified_at = now
            allow_user(session, user)
    return "applied"


def allow_user(session: Session, user: User) -> None:
    """Allowlist intents for every linked wallet and the custodial address. The address of a custodial account is
    derived by the relayer alone: its row is ensured here and the relayer queues its intent once it derives it."""
    for address in repository.wallet_addresses(session, user.id):
        queue_allow(session, address)
    custodial = repository.ensure_custodial_account(session, user.id)
    if custodial is not None:
        queue_allow(session, custodial)
