"""Every failure of the content store a caller can see: one type each, with a stable `code` for API envelopes."""

from __future__ import annotations

from typing import Any, ClassVar


class IpfsError(Exception):
    code: ClassVar[str] = "IPFS_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidCid(IpfsError):
    """The string is not a CID at all."""

    code = "INVALID_CID"


class UnsupportedContent(IpfsError):
    """A valid CID, but not something this store can verify and serve as a file (codec, hash, directory...)."""

    code = "UNSUPPORTED_CONTENT"


class ContentNotFound(IpfsError):
    code = "CONTENT_NOT_FOUND"


class StoreUnavailable(IpfsError):
    """The configured node cannot be reached or does not answer like a kubo RPC API."""

    code = "STORE_UNAVAILABLE"


class UploadTooLarge(IpfsError):
    code = "UPLOAD_TOO_LARGE"


class IntegrityError(IpfsError):
    """Bytes that do not hash to the CID they were fetched for, or a node that answered with another CID."""

    code = "INTEGRITY_ERROR"
