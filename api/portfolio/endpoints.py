"""GET /portfolio and GET /returns: the caller's holdings and distributions, read in one snapshot of the index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import Request

from api.accounts.authentication import authenticate
from api.deps import AuthConfigDep, SettingsDep
from api.envelope import ChainMeta, ChainPageMeta, Envelope
from api.index.meta import chain_envelope
from api.pagination import PageDep
from api.portfolio import service
from api.portfolio.repository import snapshot
from api.portfolio.schemas import Portfolio, Returns
from core.models import User

router = APIRouter(tags=["portfolio"])
_bearer_scheme = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/users/login.")


@dataclass(frozen=True)
class Reader:
    session: Session
    user: User


def snapshot_reader(
    request: Request,
    config: AuthConfigDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Iterator[Reader]:
    """The caller, authenticated inside the read-only snapshot the answer is read from: one connection per request
    (a second one, beside the request's session, could starve the pool under load), and one consistent view."""
    with snapshot(request.app.state.sessions) as session:
        yield Reader(session, authenticate(request, session, config.jwt_key).user)


ReaderDep = Annotated[Reader, Depends(snapshot_reader, scope="function")]


@router.get("/portfolio", summary="Holdings across the custodial address and linked wallets")
def get_portfolio(reader: ReaderDep, settings: SettingsDep) -> Envelope[Portfolio, ChainMeta]:
    view = service.portfolio(reader.session, reader.user.id, settings.chain_id)
    return chain_envelope(view.portfolio, view.meta)


@router.get("/returns", summary="Distributions of returns for the projects held, with estimated shares")
def get_returns(reader: ReaderDep, settings: SettingsDep, page: PageDep) -> Envelope[Returns, ChainPageMeta]:
    view = service.returns(reader.session, reader.user.id, settings.chain_id, page.offset, page.per_page)
    meta = ChainPageMeta(
        page=page.page,
        per_page=page.per_page,
        total=view.total,
        pages=(view.total + page.per_page - 1) // page.per_page,
        indexed_block=view.meta.indexed_block,
        block_hash=view.meta.block_hash,
        finalized_block=view.meta.finalized_block,
    )
    return Envelope[Returns, ChainPageMeta](data=view.returns, meta=meta)
