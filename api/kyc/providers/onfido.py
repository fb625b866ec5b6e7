"""An Onfido-style KYC provider over HTTP (API v3.6): applicants, SDK tokens, checks, and webhooks signed with
HMAC-SHA256 of the raw body under the webhook token (hex, in `X-SHA2-Signature`).

The API token travels only in the Authorization header and is never part of a message or a log line."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.kyc.providers.base import (
    Applicant,
    Check,
    ProviderRefusedInput,
    ProviderUnavailable,
    WebhookEvent,
    WebhookPayloadInvalid,
    WebhookSignatureInvalid,
)

log = structlog.get_logger("api.kyc")

API_VERSION_PATH = "/v3.6"
SIGNATURE_HEADER = "X-SHA2-Signature"
REPORT_NAMES = ("document", "facial_similarity_photo")
# The web SDK token is valid on any page of ours; a mobile client would pass its application id instead.
SDK_REFERRER = "*://*/*"
ID = Field(min_length=1, max_length=255)


def signature(body: bytes, webhook_token: str) -> str:
    return hmac.new(webhook_token.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, header: str | None, webhook_token: str) -> bool:
    """Constant-time: how much of a guess is right never shows in the time the answer takes."""
    if not header:
        return False
    return hmac.compare_digest(signature(body, webhook_token).encode(), header.strip().lower().encode())


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


AnswerT = TypeVar("AnswerT", bound=_Answer)


class _Applicant(_Answer):
    id: str = ID


class _SdkToken(_Answer):
    token: str = Field(min_length=1)


class _Check(_Answer):
    id: str = ID
    applicant_id: str = ID
    status: str = Field(min_length=1, max_length=64)
    result: str | None = Field(default=None, max_length=64)
    report_names: list[str] = Field(default_factory=list)
    completed_at_iso8601: str | None = Field(default=None, max_length=64)

    def check(self) -> Check:
        return Check(
            self.id, self.applicant_id, self.status, self.result, tuple(self.report_names), self.completed_at_iso8601
        )


class _WebhookObject(_Answer):
    id: str = ID
    status: str | None = Field(default=None, max_length=64)


class _WebhookPayload(_Answer):
    resource_type: str = Field(min_length=1, max_length=50)
    action: str = Field(min_length=1, max_length=100)
    object: _WebhookObject


class _Webhook(_Answer):
    payload: _WebhookPayload


class OnfidoProvider:
    name = "onfido"

    def __init__(self, base_url: str, api_token: str, webhook_token: str, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/") + API_VERSION_PATH
        self._api_token = api_token
        self._webhook_token = webhook_token
        self._timeout = timeout

    # ----- calls ---------------------------------------------------------------------------------

    def create_applicant(self, first_name: str, last_name: str) -> Applicant:
        answer = self._call("POST", "/applicants", {"first_name": first_name, "last_name": last_name})
        return Applicant(_read(_Applicant, answer).id)

    def sdk_token(self, applicant_id: str) -> str:
        answer = self._call("POST", "/sdk_token", {"applicant_id": applicant_id, "referrer": SDK_REFERRER})
        return _read(_SdkToken, answer).token

    def start_check(self, applicant_id: str) -> Check:
        answer = self._call("POST", "/checks", {"applicant_id": applicant_id, "report_names": list(REPORT_NAMES)})
        return _read(_Check, answer).check()

    def retrieve_check(self, check_id: str) -> Check:
        return _read(_Check, self._call("GET", f"/checks/{check_id}", None)).check()

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        headers = {"Authorization": f"Token token={self._api_token}", "Accept": "application/json"}
        try:
            with httpx.Client(timeout=self._timeout) as client:
                response = client.request(method, self._base + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("kyc_provider_unreachable", path=path, error=type(exc).__name__)
            raise ProviderUnavailable(f"the KYC provider could not be reached ({type(exc).__name__})") from None
        if response.status_code == 422:
            raise ProviderRefusedInput(_error_message(response))
        if not response.is_success:
            log.warning("kyc_provider_error", path=path, status=response.status_code)
            raise ProviderUnavailable(f"the KYC provider answered {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise ProviderUnavailable("the KYC provider's answer is not JSON") from None

    # ----- webhooks ------------------------------------------------------------------------------

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        if not signature_matches(body, _header(headers, SIGNATURE_HEADER), self._webhook_token):
            raise WebhookSignatureInvalid()
        try:
            raw = json.loads(body)
            payload = _Webhook.model_validate(raw).payload
        except (ValueError, ValidationError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise WebhookPayloadInvalid() from None
        if _has_nul(raw):  # PostgreSQL's text and JSONB cannot hold U+0000: refused, not a 500 at the insert
            raise WebhookPayloadInvalid()
        # Onfido's events carry no id of their own; an action happens once to an object (a check completes once),
        # so the pair is the event's key and a redelivery carries the same.
        return WebhookEvent(
            event_id=f"{payload.action}:{payload.object.id}",
            resource_type=payload.resource_type,
            action=payload.action,
            object_id=payload.object.id,
            payload=raw,
        )


def _read(model: type[AnswerT], answer: Any) -> AnswerT:
    try:
        return model.model_validate(answer)
    except ValidationError:
        raise ProviderUnavailable(f"the KYC provider's answer is not a {model.__name__.strip('_')}") from None


def _error_message(response: httpx.Response) -> str:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return "the KYC provider refused the details"
    return str(message)[:200]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)
