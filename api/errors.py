"""Every failure a user can see: one exception type each, with a stable code, and the one place that turns any
exception (ours, a validation error, a routing 404, a bug) into the seed's error envelope.

Codes are part of the API contract (README lists them): clients branch on `code`, never on `message`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import structlog
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from api.envelope import ErrorBody, ErrorEnvelope

log = structlog.get_logger("api")


class ApiError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    message: ClassVar[str] = "The request cannot be served."
    # The request's transaction commits despite the error (a failed login must still count).
    keeps_changes: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        self.http_status = status or type(self).status
        self.text = message or self.message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.text)


# ----- request shape -----------------------------------------------------------------------------
class ValidationFailed(ApiError):
    status, code, message = 422, "VALIDATION_ERROR", "The request is not valid."


class UnknownQueryParameter(ApiError):
    status, code, message = 400, "UNKNOWN_QUERY_PARAMETER", "The request has query parameters this route does not take."


class PayloadTooLarge(ApiError):
    status, code, message = 413, "PAYLOAD_TOO_LARGE", "The request body is too large."


class NotFound(ApiError):
    status, code, message = 404, "NOT_FOUND", "Nothing here."


class MethodNotAllowed(ApiError):
    status, code, message = 405, "METHOD_NOT_ALLOWED", "This route does not take that method."


# ----- authentication ----------------------------------------------------------------------------
class NotAuthenticated(ApiError):
    status, code, message = 401, "NOT_AUTHENTICATED", "Sign in first."


class InvalidToken(ApiError):
    status, code, message = 401, "INVALID_TOKEN", "The token is not valid."


class TokenExpired(ApiError):
    status, code, message = 401, "TOKEN_EXPIRED", "The token has expired."


class SessionRevoked(ApiError):
    status, code, message = 401, "SESSION_REVOKED", "This session has ended; sign in again."


class RefreshTokenReused(ApiError):
    status, code, message = 401, "REFRESH_TOKEN_REUSED", "This refresh token was already used; the session is revoked."
    keeps_changes = True  # the family's revocation must outlive the refusal


class InvalidCredentials(ApiError):
    status, code, message = 401, "INVALID_CREDENTIALS", "Wrong email or password."
    keeps_changes = True  # the failed attempt counts towards the lockout


class AccountLocked(ApiError):
    status, code, message = 423, "ACCOUNT_LOCKED", "Too many failed logins; the account is locked for a while."
    keeps_changes = True


class CsrfFailed(ApiError):
    status, code, message = 403, "CSRF_FAILED", "Missing or wrong X-CSRF-Token for a cookie session."


class PermissionDenied(ApiError):
    status, code, message = 403, "PERMISSION_DENIED", "You are not allowed to do this."


# ----- accounts ----------------------------------------------------------------------------------
class EmailTaken(ApiError):
    status, code, message = 409, "EMAIL_TAKEN", "An account with this email exists."


class WeakPassword(ApiError):
    status, code, message = 422, "PASSWORD_TOO_WEAK", "The password does not meet the password policy."


class BreachedPassword(ApiError):
    status, code, message = 422, "PASSWORD_BREACHED", "This password is known from data breaches; choose another."


# ----- wallets (Sign-In with Ethereum) -----------------------------------------------------------
class SiweMessageMalformed(ApiError):
    status, code, message = (
        422,
        "SIWE_MESSAGE_MALFORMED",
        "The message is not an EIP-4361 Sign-In with Ethereum message.",
    )


class SiweDomainMismatch(ApiError):
    status, code, message = 401, "SIWE_DOMAIN_MISMATCH", "The message asks to sign in to another domain."


class SiweUriMismatch(ApiError):
    status, code, message = 401, "SIWE_URI_MISMATCH", "The message names another URI than this service's."


class SiweChainMismatch(ApiError):
    status, code, message = 401, "SIWE_CHAIN_MISMATCH", "The message names another chain than this service's."


class SiweMessageExpired(ApiError):
    status, code, message = 401, "SIWE_MESSAGE_EXPIRED", "The message's expiration time has passed."


class SiweMessageNotYetValid(ApiError):
    status, code, message = 401, "SIWE_MESSAGE_NOT_YET_VALID", "The message's not-before time has not come yet."


class SiweNonceUnknown(ApiError):
    status, code, message = 401, "SIWE_NONCE_UNKNOWN", "This nonce was not issued here; ask for a new one."


class SiweNonceExpired(ApiError):
    status, code, message = 401, "SIWE_NONCE_EXPIRED", "This nonce has expired; ask for a new one."


class SiweNonceUsed(ApiError):
    status, code, message = 401, "SIWE_NONCE_USED", "This nonce was already used; ask for a new one."


class SiweSignatureInvalid(ApiError):
    status, code, message = 401, "SIWE_SIGNATURE_INVALID", "The signature does not prove the message's address."


class WalletCheckUnavailable(ApiError):
    status, code, message = (
        503,
        "WALLET_CHECK_UNAVAILABLE",
        "The contract wallet cannot be checked right now; try again.",
    )


class WalletLinkedElsewhere(ApiError):
    status, code, message = 409, "WALLET_LINKED_ELSEWHERE", "This wallet is linked to another account."


class WalletNotFound(ApiError):
    status, code, message = 404, "WALLET_NOT_FOUND", "No such wallet is linked to this account."


class WalletIsLastSignIn(ApiError):
    status, code, message = 409, "WALLET_IS_LAST_SIGN_IN", "This wallet is the account's only way to sign in."


# ----- projects ----------------------------------------------------------------------------------
class ProjectNotFound(ApiError):
    status, code, message = 404, "PROJECT_NOT_FOUND", "No project has this id."


class InvalidProjectId(ApiError):
    status, code, message = 422, "INVALID_PROJECT_ID", "A project id is a UUID or an on-chain token id."


class RadiusSearchIncomplete(ApiError):
    status, code, message = 422, "RADIUS_SEARCH_INCOMPLETE", "A radius search needs lat, lon and radius_km together."


class SortNotApplicable(ApiError):
    status, code, message = 422, "SORT_NOT_APPLICABLE", "sort=relevance needs q; sort=distance needs a radius search."


# ----- KYC ---------------------------------------------------------------------------------------
class KycInProgress(ApiError):
    status, code, message = 409, "KYC_IN_PROGRESS", "An identity check is already under way."


class KycAlreadyVerified(ApiError):
    status, code, message = 409, "KYC_ALREADY_VERIFIED", "Your identity is verified already."


class KycDetailsRefused(ApiError):
    status, code, message = 422, "KYC_DETAILS_REFUSED", "The identity provider refused these details."


class KycProviderUnavailable(ApiError):
    status, code, message = 502, "KYC_PROVIDER_UNAVAILABLE", "The identity provider cannot be reached; try again later."


class KycNotConfigured(ApiError):
    status, code, message = 503, "KYC_NOT_CONFIGURED", "Identity checks are not configured on this server."


class WebhookSignatureInvalid(ApiError):
    status, code, message = 400, "WEBHOOK_SIGNATURE_INVALID", "The webhook signature is missing or wrong."


class WebhookPayloadInvalid(ApiError):
    status, code, message = 400, "WEBHOOK_PAYLOAD_INVALID", "The webhook body is not an event we can read."


class KycCheckUnknown(ApiError):
    status, code, message = 404, "KYC_CHECK_UNKNOWN", "No identity check of ours has this id."


# ----- rate limits -------------------------------------------------------------------------------
class RateLimited(ApiError):
    status, code, message = 429, "RATE_LIMITED", "Too many requests; wait for Retry-After seconds."


# ----- privacy -----------------------------------------------------------------------------------
class AccountHasActiveInvestments(ApiError):
    status, code, message = (
        409,
        "ACCOUNT_HAS_ACTIVE_INVESTMENTS",
        "The account has investments under way or tokens held; it can be deleted once they are settled.",
    )


class PasswordConfirmationRequired(ApiError):
    status, code, message = 422, "PASSWORD_CONFIRMATION_REQUIRED", "Confirm with your password to do this."


class PasswordConfirmationFailed(ApiError):
    status, code, message = 403, "PASSWORD_CONFIRMATION_FAILED", "The password does not match."
    keeps_changes = True  # the failed attempt counts towards the lockout


# ----- operations --------------------------------------------------------------------------------
class NotReady(ApiError):
    status, code, message = 503, "NOT_READY", "The service is not ready."


class InternalError(ApiError):
    status, code, message = 500, "INTERNAL_ERROR", "Something went wrong on our side; the request id helps us find it."


_BY_STATUS: dict[int, type[ApiError]] = {
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    429: RateLimited,
}


def validation_details(exc: RequestValidationError) -> dict[str, Any]:
    """Where and why, never the input: a rejected password or token must not come back in the answer."""
    return {
        "errors": [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
    }


def as_api_error(exc: BaseException) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestValidationError):
        return ValidationFailed(details=validation_details(exc))
    if isinstance(exc, StarletteHTTPException):
        kind = _BY_STATUS.get(exc.status_code)
        if kind is not None:
            return kind(headers=dict(exc.headers or {}))
        return ApiError(headers=dict(exc.headers or {}), status=exc.status_code)
    return InternalError()


def error_response(exc: BaseException) -> JSONResponse:
    """The one mapping from an exception to the error envelope (registered for every exception type)."""
    error = as_api_error(exc)
    if isinstance(error, InternalError) and error is not exc:
        log.error("unhandled_error", error_type=type(exc).__name__, exc_info=exc)
    body = ErrorEnvelope(error=ErrorBody(code=error.code, message=error.text, details=error.details))
    return JSONResponse(body.model_dump(mode="json"), status_code=error.http_status, headers=error.headers)
