"""Errors: one type per failure, each an IpfsError with a stable code (what the API's error envelope carries)."""

from __future__ import annotations

import pytest

from ipfs import errors

EXPECTED_CODES = {
    errors.InvalidCid: "INVALID_CID",
    errors.UnsupportedContent: "UNSUPPORTED_CONTENT",
    errors.ContentNotFound: "CONTENT_NOT_FOUND",
    errors.StoreUnavailable: "STORE_UNAVAILABLE",
    errors.UploadTooLarge: "UPLOAD_TOO_LARGE",
    errors.IntegrityError: "INTEGRITY_ERROR",
}


@pytest.mark.parametrize(("error", "code"), EXPECTED_CODES.items(), ids=lambda v: getattr(v, "__name__", v))
def test_each_failure_has_its_own_type_and_stable_code(error: type[errors.IpfsError], code: str) -> None:
    raised = error("what went wrong", cid="bafy...")

    assert isinstance(raised, errors.IpfsError)
    assert raised.code == code
    assert raised.message == str(raised) == "what went wrong"
    assert raised.details == {"cid": "bafy..."}


def test_codes_are_unique() -> None:
    assert len(set(EXPECTED_CODES.values())) == len(EXPECTED_CODES)
