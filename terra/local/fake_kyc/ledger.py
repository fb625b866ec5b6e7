"""The fake's accounts: applicants, SDK tokens and checks, as an Onfido-style API answers for them. A check
completes after the configured delay (or when a test says so): `clear`, or `consider` for an applicant whose last
name is "Consider" (the convention of Onfido's sandbox). Completing sends the `check.completed` webhook."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from terra.local.fake_kyc.errors import FakeApiError, missing

REJECTING_LAST_NAME = "consider"
RESULTS = ("clear", "consider")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _id() -> str:
    return secrets.token_hex(16)


class Ledger:
    def __init__(self, base_url: Callable[[], str], on_complete: Callable[[dict[str, Any]], None]) -> None:
        self._base_url = base_url
        self._on_complete = on_complete
        self._lock = threading.Lock()
        self.applicants: dict[str, dict[str, Any]] = {}
        self.checks: dict[str, dict[str, Any]] = {}

    def create_applicant(self, body: dict[str, Any]) -> dict[str, Any]:
        errors = {k: ["can't be blank"] for k in ("first_name", "last_name") if not _text(body.get(k))}
        if errors:
            raise FakeApiError(422, "validation_error", "There was a validation error on this request", fields=errors)
        applicant = {
            "id": _id(),
            "first_name": body["first_name"],
            "last_name": body["last_name"],
            "created_at": _now(),
        }
        applicant["href"] = f"/v3.6/applicants/{applicant['id']}"
        with self._lock:
            self.applicants[applicant["id"]] = applicant
        return applicant

    def applicant(self, applicant_id: str) -> dict[str, Any]:
        with self._lock:
            found = self.applicants.get(applicant_id)
        if found is None:
            raise missing("applicant", applicant_id)
        return found

    def sdk_token(self, body: dict[str, Any]) -> dict[str, Any]:
        self.applicant(str(body.get("applicant_id")))
        return {"token": "fake-sdk-" + secrets.token_urlsafe(24)}

    def create_check(self, body: dict[str, Any]) -> dict[str, Any]:
        applicant = self.applicant(str(body.get("applicant_id")))
        names = body.get("report_names")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise FakeApiError(
                422, "validation_error", "report_names is required", fields={"report_names": ["invalid"]}
            )
        check = {
            "id": _id(),
            "applicant_id": applicant["id"],
            "status": "in_progress",
            "result": None,
            "report_names": names,
            "created_at": _now(),
            "completed_at_iso8601": None,
        }
        check["href"] = f"/v3.6/checks/{check['id']}"
        with self._lock:
            self.checks[check["id"]] = check
        return dict(check)

    def check(self, check_id: str) -> dict[str, Any]:
        with self._lock:
            found = self.checks.get(check_id)
            if found is None:
                raise missing("check", check_id)
            return dict(found)

    def planned_result(self, check_id: str) -> str:
        applicant = self.applicant(self.check(check_id)["applicant_id"])
        return "consider" if str(applicant["last_name"]).strip().lower() == REJECTING_LAST_NAME else "clear"

    def complete(self, check_id: str, result: str | None = None) -> dict[str, Any]:
        """Complete a check still in progress (a second completion changes nothing and sends nothing)."""
        result = result or self.planned_result(check_id)
        if result not in RESULTS:
            raise FakeApiError(422, "validation_error", "result must be clear or consider", fields={"result": [result]})
        with self._lock:
            check = self.checks.get(check_id)
            if check is None:
                raise missing("check", check_id)
            if check["status"] != "in_progress":
                return dict(check)
            check.update(status="complete", result=result, completed_at_iso8601=_now())
            done = dict(check)
        self._on_complete(done)
        return done

    def webhook_event(self, check: dict[str, Any]) -> dict[str, Any]:
        return {
            "payload": {
                "resource_type": "check",
                "action": "check.completed",
                "object": {
                    "id": check["id"],
                    "status": check["status"],
                    "completed_at_iso8601": check["completed_at_iso8601"],
                    "href": self._base_url() + check["href"],
                },
            }
        }


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
