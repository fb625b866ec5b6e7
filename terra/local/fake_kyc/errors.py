"""Errors shaped as an Onfido-style API answers them: `{"error": {"type", "message", "fields"}}`."""

from __future__ import annotations

from typing import Any


class FakeApiError(Exception):
    def __init__(self, status: int, type_: str, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"type": type_, "message": message}
        if fields:
            self.error["fields"] = fields

    def body(self) -> dict[str, Any]:
        return {"error": self.error}


def missing(kind: str, object_id: str) -> FakeApiError:
    return FakeApiError(404, "resource_not_found", f"The {kind} {object_id!r} could not be found (local FAKE KYC).")
