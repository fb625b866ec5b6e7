"""Content-addressed storage of project metadata and documents, with CIDs identical to kubo's.

Start at `configured.open_store` (a kubo node or the local block store) and `cid.compute_cid` (the pure CID function).
"""

from ipfs.cid import compute_cid, parse_cid
from ipfs.configured import open_store
from ipfs.errors import (
    ContentNotFound,
    IntegrityError,
    InvalidCid,
    IpfsError,
    StoreUnavailable,
    UnsupportedContent,
    UploadTooLarge,
)
from ipfs.store import ContentStore

__all__ = [
    "ContentNotFound",
    "ContentStore",
    "IntegrityError",
    "InvalidCid",
    "IpfsError",
    "StoreUnavailable",
    "UnsupportedContent",
    "UploadTooLarge",
    "compute_cid",
    "open_store",
    "parse_cid",
]
