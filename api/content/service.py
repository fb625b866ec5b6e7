"""Decisions of the public content routes: which bytes answer `/metadata/{id}` (the pinned document, verified
against its CID, else one built from the catalogue) and `/ipfs/{cid}` (the store's, verified block by block)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import structlog
from pydantic import ValidationError
from sqlalchemy.orm import Session

import ipfs
from api.admin.metadata import project_document_bytes
from api.admin.project_service import chain_id_of
from api.content import errors
from api.content import repository as repo
from api.content.store import store_errors
from api.settings import ApiSettings
from core.models import ChainProject
from ipfs.cid import canonical, compute_cid
from ipfs.metadata import erc1155_metadata, json_bytes, parse_metadata

log = structlog.get_logger("api.content")

UINT256_LIMIT = 2**256
_HEX_ID = re.compile(r"[0-9a-fA-F]{64}")
_DECIMAL_ID = re.compile(r"[0-9]{1,78}")
# Content up to this size is read and verified whole before the first byte goes out; larger content streams,
# each block verified before any of its bytes (a corrupt block further down then cuts the answer short).
BUFFERED_BYTES = 8 * 1024 * 1024
INLINE_TYPES = frozenset(
    {"application/json", "application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp"}
)


def parse_token_id(raw: str) -> int:
    """The ERC-1155 `{id}` substitution (64 lowercase hex digits, zero-padded) or a plain decimal id; an optional
    `.json` suffix, as some clients add. 64 digits are read as hex: that is the form the standard gives."""
    value = raw.removesuffix(".json")
    if _HEX_ID.fullmatch(value):
        return int(value, 16)
    if _DECIMAL_ID.fullmatch(value) and int(value) < UINT256_LIMIT:
        return int(value)
    raise errors.InvalidTokenId(details={"id": raw[:80]})


@dataclass(frozen=True)
class MetadataAnswer:
    body: bytes
    etag: str
    exact: bool  # the body is the very document the CID names


def metadata(session: Session, settings: ApiSettings, store: ipfs.ContentStore, raw_id: str) -> MetadataAnswer:
    token_id = parse_token_id(raw_id)
    try:
        chain_id = chain_id_of(session, settings)
    except errors.ChainNotConfigured:
        raise errors.ProjectNotFound() from None
    on_chain = repo.chain_project(session, chain_id, token_id)
    listed = repo.catalogue_project(session, chain_id, token_id)
    if on_chain is None and listed is None:
        raise errors.ProjectNotFound(details={"token_id": str(token_id)})
    cid = on_chain.metadata_cid if on_chain is not None else listed.metadata_cid if listed is not None else None
    if cid:
        pinned = _pinned_document(store, cid)
        if pinned is not None:
            return pinned
    if listed is not None:
        body = project_document_bytes(listed)
        built = compute_cid(body)
        return MetadataAnswer(body, built, exact=cid is not None and _same_cid(built, cid))
    assert on_chain is not None
    body = _chain_only_document(on_chain)
    return MetadataAnswer(body, compute_cid(body), exact=False)


def _pinned_document(store: ipfs.ContentStore, cid: str) -> MetadataAnswer | None:
    """The pinned document, verified by the store; a document in the older ProjectMetadata form is shown as ERC-1155
    JSON. None when it cannot be had (not held, corrupt, unreachable, not JSON): the caller builds one instead."""
    try:
        key = canonical(cid)
        if not store.has(key):
            return None
        data = store.get(key)
    except ipfs.IpfsError as exc:
        log.warning("metadata_content_unavailable", cid=cid[:100], error=exc.code)
        return None
    try:
        document = json.loads(data)
    except ValueError:
        return None
    if isinstance(document, dict) and "properties" in document:
        return MetadataAnswer(data, key, exact=True)
    try:
        converted = json_bytes(erc1155_metadata(parse_metadata(data)))
    except (ValidationError, TypeError):
        return None
    return MetadataAnswer(converted, compute_cid(converted), exact=False)


def _same_cid(a: str, b: str) -> bool:
    try:
        return canonical(a) == canonical(b)
    except ipfs.InvalidCid:
        return False


def _chain_only_document(project: ChainProject) -> bytes:
    """A project created on chain outside the catalogue, whose document the store lacks: what the chain says."""
    token_id = int(project.project_id)
    return json_bytes(
        {
            "name": f"Terra Lumina project {token_id}",
            "description": "",
            "decimals": 2,
            "properties": {
                "token_id": token_id,
                "supply_cap_cents": int(project.supply_cap),
                "metadata_cid": project.metadata_cid,
            },
        }
    )


@dataclass(frozen=True)
class ContentAnswer:
    cid: str
    media_type: str
    inline: bool
    head: bytes  # verified bytes read before answering
    rest: Iterator[bytes] | None  # the remaining pieces (verified as they come), None when `head` is everything


def content(session: Session, store: ipfs.ContentStore, raw_cid: str, *, read: bool = True) -> ContentAnswer:
    with store_errors():
        cid = canonical(raw_cid)
        if not store.has(cid):
            raise errors.ContentNotFound(details={"cid": cid})
        media_type = repo.document_media_type(session, cid)
        if media_type is None:
            media_type = "application/json" if repo.is_metadata_cid(session, cid) else "application/octet-stream"
        inline = media_type in INLINE_TYPES
        if not read:
            return ContentAnswer(cid, media_type, inline, b"", None)
        pieces = store.stream(cid)
        head: list[bytes] = []
        size = 0
        for piece in pieces:
            head.append(piece)
            size += len(piece)
            if size >= BUFFERED_BYTES:
                return ContentAnswer(cid, media_type, inline, b"".join(head), _guarded(pieces, cid))
        return ContentAnswer(cid, media_type, inline, b"".join(head), None)


def _guarded(pieces: Iterator[bytes], cid: str) -> Iterator[bytes]:
    try:
        yield from pieces
    except ipfs.IpfsError as exc:  # headers are gone: the answer is cut short, never completed with bad bytes
        log.error("content_stream_failed", cid=cid, error=exc.code)
        raise


def chained(answer: ContentAnswer) -> Iterator[bytes]:
    assert answer.rest is not None
    return itertools.chain((answer.head,), answer.rest)
