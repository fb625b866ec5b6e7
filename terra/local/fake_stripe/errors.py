"""Errors shaped as Stripe's API answers them, so the real SDK raises its own classes: 402 card_error (CardError,
with decline_code), 400/404 invalid_request_error (InvalidRequestError), 401 (AuthenticationError)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"type": type_, "message": message}
        if code is not None:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param is not None:
            self.error["param"] = param
        self.error |= extra or {}

    def body(self, request_id: str) -> dict[str, Any]:
        return {"error": self.error | {"request_log_url": f"http://fake-stripe.local/logs/{request_id}"}}


def missing(kind: str, object_id: str, param: str | None = None) -> ApiError:
    """An unknown id: 404 in the path, 400 when a parameter names it (as Stripe answers)."""
    status = 404 if param is None else 400
    return ApiError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def unexpected_state(action: str, pi: dict[str, Any]) -> ApiError:
    return ApiError(
        400,
        f"You cannot {action} this PaymentIntent because it has a status of {pi['status']}.",
        code="payment_intent_unexpected_state",
        extra={"payment_intent": pi},
    )
