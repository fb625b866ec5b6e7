"""Failures of the catalogue's admin and content routes a user can see, one type each (mapped to the envelope by
api/errors.py like every ApiError)."""

from __future__ import annotations

from api.errors import ApiError


class ProjectNotFound(ApiError):
    status, code, message = 404, "PROJECT_NOT_FOUND", "No project with this id."


class InvalidTokenId(ApiError):
    status, code, message = 400, "INVALID_TOKEN_ID", "A token id is a decimal number or 64 hexadecimal digits."


class ChainNotConfigured(ApiError):
    status, code, message = 503, "CHAIN_NOT_CONFIGURED", "No chain is configured or indexed yet (CHAIN_ID)."


class InvalidCid(ApiError):
    status, code, message = 400, "INVALID_CID", "This is not a CID."


class UnsupportedContent(ApiError):
    status, code, message = 400, "UNSUPPORTED_CONTENT", "This CID names something other than a file this API serves."


class ContentNotFound(ApiError):
    status, code, message = 404, "CONTENT_NOT_FOUND", "The content store does not hold this CID."


class ContentIntegrityFailed(ApiError):
    status, code, message = 502, "CONTENT_INTEGRITY_FAILED", "The stored content does not match its CID."


class ContentStoreUnavailable(ApiError):
    status, code, message = 503, "CONTENT_STORE_UNAVAILABLE", "The content store cannot be reached."


class DocumentExists(ApiError):
    status, code, message = 409, "DOCUMENT_EXISTS", "This project already has a document with this CID."


class EmptyDocument(ApiError):
    status, code, message = 400, "EMPTY_DOCUMENT", "The upload is empty."
