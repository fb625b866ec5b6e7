"""What the API needs of a KYC provider: create an applicant, start a check, read a check back, and turn a webhook
into a verified event. Implementations talk to a provider (or its local FAKE) over HTTP; nothing here does I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Decision = Literal["verified", "rejected"]


class ProviderUnavailable(Exception):
    """The provider could not be reached, refused our credentials, or answered something we cannot read."""


class ProviderRefusedInput(Exception):
    """The provider refused what the user gave (a name it cannot take): the user can correct it."""


class WebhookSignatureInvalid(Exception):
    """No signature, or not the one the webhook token gives for this exact body."""


class WebhookPayloadInvalid(Exception):
    """A correctly signed body that is not a webhook event we can read."""


@dataclass(frozen=True)
class Applicant:
    id: str


@dataclass(frozen=True)
class Check:
    id: str
    applicant_id: str
    status: str  # in_progress, awaiting_applicant, complete, withdrawn, paused, reopened
    result: str | None  # clear, consider; None until complete
    report_names: tuple[str, ...] = ()
    completed_at: str | None = None

    def facts(self) -> dict[str, Any]:
        """What a record keeps of a check: its outcome, never the documents or what was read from them."""
        return {
            "check_status": self.status,
            "result": self.result,
            "report_names": list(self.report_names),
            "completed_at": self.completed_at,
        }


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str  # the provider's key for this event: a replay carries the same one
    resource_type: str
    action: str
    object_id: str
    payload: dict[str, Any]

    @property
    def completes_a_check(self) -> bool:
        return self.resource_type == "check" and self.action == "check.completed"


def decide(check: Check) -> Decision | None:
    """The outcome a check gives: clear passes; consider, or a check withdrawn, fails; anything else is not over."""
    if check.status == "complete" and check.result == "clear":
        return "verified"
    if (check.status == "complete" and check.result == "consider") or check.status == "withdrawn":
        return "rejected"
    return None


class KycProvider(Protocol):
    name: str

    def create_applicant(self, first_name: str, last_name: str) -> Applicant: ...

    def sdk_token(self, applicant_id: str) -> str: ...

    def start_check(self, applicant_id: str) -> Check: ...

    def retrieve_check(self, check_id: str) -> Check: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The event of a webhook whose signature is right; raises WebhookSignatureInvalid or WebhookPayloadInvalid."""
        ...
