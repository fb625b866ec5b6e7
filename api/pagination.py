"""Pages of a list: `page` and `per_page` (at most 100) from the query, totals in `meta`.

Repositories call `fetch_page` with their SELECT; endpoints answer with `page_envelope`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.envelope import ChainMeta, ChainPageMeta, Envelope, PageMeta

MAX_PER_PAGE = 100
T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class PageParams:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(  # async: pure, so FastAPI runs it inline instead of through its thread pool
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page (at most 100).")] = 20,
) -> PageParams:
    return PageParams(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(i) for i in self.items], self.page, self.per_page, self.total)


def fetch_page(session: Session, stmt: Select[Any], params: PageParams) -> Page[Any]:
    """One page of `stmt`'s rows (give it an ORDER BY: pages of an unordered query may overlap) and the total."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.limit(params.per_page).offset(params.offset)).all()
    return Page(items, params.page, params.per_page, total)


def page_envelope(page: Page[T]) -> Envelope[list[T], PageMeta]:
    meta = PageMeta(page=page.page, per_page=page.per_page, total=page.total, pages=page.pages)
    return Envelope[list[T], PageMeta](data=list(page.items), meta=meta)


def chain_page_envelope(page: Page[T], chain: ChainMeta) -> Envelope[list[T], ChainPageMeta]:
    meta = ChainPageMeta(
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        indexed_block=chain.indexed_block,
        block_hash=chain.block_hash,
        finalized_block=chain.finalized_block,
    )
    return Envelope[list[T], ChainPageMeta](data=list(page.items), meta=meta)
