"""GET /portfolio and GET /returns: the caller's holdings and distributions, read in one snapshot of the index."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from api.deps import CurrentUser, SettingsDep
from api.envelope import ChainMeta, ChainPageMeta, Envelope
from api.index.meta import chain_envelope
from api.pagination import PageDep
from api.portfolio import service
from api.portfolio.repository import snapshot
from api.portfolio.schemas import Portfolio, Returns

router = APIRouter(tags=["portfolio"])


def _sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


@router.get("/portfolio", summary="Holdings across the custodial address and linked wallets")
def get_portfolio(request: Request, user: CurrentUser, settings: SettingsDep) -> Envelope[Portfolio, ChainMeta]:
    with snapshot(_sessions(request)) as session:
        view = service.portfolio(session, user.id, settings.chain_id)
    return chain_envelope(view.portfolio, view.meta)


@router.get("/returns", summary="Distributions of returns for the projects held, with estimated shares")
def get_returns(
    request: Request, user: CurrentUser, settings: SettingsDep, page: PageDep
) -> Envelope[Returns, ChainPageMeta]:
    with snapshot(_sessions(request)) as session:
        view = service.returns(session, user.id, settings.chain_id, page.offset, page.per_page)
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
