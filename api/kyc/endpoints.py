"""/api/v1/users/kyc (start, status) and /api/v1/kyc/webhook (the provider's). HTTP only: decisions in service.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from starlette.requests import Request

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.envelope import Envelope, Meta, ok
from api.errors import KycNotConfigured
from api.kyc import service
from api.kyc.providers import provider_from_settings
from api.kyc.providers.base import KycProvider
from api.kyc.schemas import KycStartIn, KycStartOut, KycStatusOut, WebhookOut

router = APIRouter(tags=["kyc"])


def get_provider(settings: SettingsDep) -> KycProvider:
    provider = provider_from_settings(settings)
    if provider is None:
        raise KycNotConfigured()
    return provider


ProviderDep = Annotated[KycProvider, Depends(get_provider)]


async def raw_body(request: Request) -> bytes:
    """The exact bytes the provider signed (a parsed and re-serialised body would not verify)."""
    return await request.body()


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/users/kyc", status_code=status.HTTP_201_CREATED, response_model=Envelope[KycStartOut, Meta])
def start_kyc(
    body: KycStartIn, user: CurrentUser, db: SessionDep, provider: ProviderDep
) -> Envelope[KycStartOut, Meta]:
    """Start an identity check: an applicant and a check at the provider; `sdk_token` opens the provider's SDK in
    the client. Errors: KYC_IN_PROGRESS, KYC_ALREADY_VERIFIED (409), KYC_DETAILS_REFUSED, KYC_PROVIDER_UNAVAILABLE."""
    return ok(service.start(db, provider, user, body, _now()))


@router.get("/users/kyc/status", response_model=Envelope[KycStatusOut, Meta])
def kyc_status(user: CurrentUser, db: SessionDep) -> Envelope[KycStatusOut, Meta]:
    """The caller's KYC status and latest attempt (pending: never started)."""
    return ok(service.status_of(db, user))


@router.post("/kyc/webhook", response_model=Envelope[WebhookOut, Meta], include_in_schema=True)
def kyc_webhook(
    request: Request, body: Annotated[bytes, Depends(raw_body)], db: SessionDep, provider: ProviderDep
) -> Envelope[WebhookOut, Meta]:
    """The provider's webhook, signed with HMAC-SHA256 of the body (`X-SHA2-Signature`). Each event is stored once;
    a replay changes nothing. Errors: WEBHOOK_SIGNATURE_INVALID, WEBHOOK_PAYLOAD_INVALID (400), KYC_CHECK_UNKNOWN."""
    return ok(service.handle_webhook(db, provider, body, request.headers, _now()))
