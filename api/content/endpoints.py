"""GET /api/v1/metadata/{id} (the ERC-1155 metadata the contract's `uri(id)` points at, as raw JSON: wallets and
marketplaces read it as is, not in the envelope) and GET /api/v1/ipfs/{cid} (content verified against its CID)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from starlette.responses import Response, StreamingResponse

from api.content import service
from api.content.store import ContentStoreDep
from api.deps import SessionDep, SettingsDep

router = APIRouter(tags=["content"])

IMMUTABLE = "public, max-age=31536000, immutable"
METADATA_CACHE = "public, max-age=300"
_PUBLIC = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag"}
_JSON_EXAMPLE: dict[int | str, dict[str, Any]] = {
    "200": {"content": {"application/json": {"example": {"name": "...", "properties": {}}}}}
}


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


@router.get("/metadata/{token_id}", response_class=Response, responses=_JSON_EXAMPLE)
def token_metadata(
    db: SessionDep,
    settings: SettingsDep,
    store: ContentStoreDep,
    token_id: str,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """ERC-1155 metadata JSON of token `token_id` (64 hex digits as the `{id}` convention substitutes them, or
    decimal): the pinned document verified against its CID, else one built from the catalogue."""
    answer = service.metadata(db, settings, store, token_id)
    etag = f'"{answer.etag}"' if answer.exact else f'W/"{answer.etag}"'
    headers = {**_PUBLIC, "ETag": etag, "Cache-Control": METADATA_CACHE}
    if _matches(if_none_match, f'"{answer.etag}"'):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


@router.get(
    "/ipfs/{cid}",
    response_class=Response,
    responses={"200": {"content": {"application/octet-stream": {}}, "description": "The content, verified."}},
)
def ipfs_content(
    db: SessionDep, store: ContentStoreDep, cid: str, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    """The content behind `cid` (v0 or v1) as the store holds it, verified against the CID: ETag is the CID and the
    answer is cacheable for ever. Only files (raw or UnixFS) are served."""
    probe = service.content(db, store, cid, read=False)
    etag = f'"{probe.cid}"'
    disposition = "inline" if probe.inline else "attachment"
    headers = {
        **_PUBLIC,
        "ETag": etag,
        "Cache-Control": IMMUTABLE,
        "Content-Disposition": f'{disposition}; filename="{probe.cid}"',
    }
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    answer = service.content(db, store, cid)
    if answer.rest is None:
        return Response(answer.head, media_type=answer.media_type, headers=headers)
    return StreamingResponse(service.chained(answer), media_type=answer.media_type, headers=headers)
