"""The content store the API reads and pins through (a kubo node, or the local store), one per app, opened on first
use; and the one translation of the ipfs package's errors into API errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

import ipfs
from api.content import errors
from api.deps import SettingsDep
from ipfs.configured import open_store

_lock = threading.Lock()


def content_store(request: Request, settings: SettingsDep) -> ipfs.ContentStore:
    state = request.app.state
    store: ipfs.ContentStore | None = getattr(state, "content_store", None)
    if store is None:
        with _lock:
            store = getattr(state, "content_store", None)
            if store is None:
                store = open_store(settings)
                state.content_store = store
    return store


ContentStoreDep = Annotated[ipfs.ContentStore, Depends(content_store)]


@contextmanager
def store_errors() -> Iterator[None]:
    """ipfs errors as the API's: a bad CID is the caller's, a corrupt block or an unreachable node is ours."""
    try:
        yield
    except ipfs.InvalidCid as exc:
        raise errors.InvalidCid(details={"reason": exc.message[:200]}) from None
    except ipfs.UnsupportedContent as exc:
        raise errors.UnsupportedContent(details={"reason": exc.message[:200]}) from None
    except ipfs.ContentNotFound:
        raise errors.ContentNotFound() from None
    except ipfs.IntegrityError:
        raise errors.ContentIntegrityFailed() from None
    except ipfs.StoreUnavailable:
        raise errors.ContentStoreUnavailable() from None
    except ipfs.UploadTooLarge as exc:
        from api.errors import PayloadTooLarge

        raise PayloadTooLarge(details=exc.details) from None
