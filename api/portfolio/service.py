"""Decisions of the portfolio and returns: which chain, which addresses, how holdings add up, which distributions
concern the user and what their share of each is estimated to be."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.envelope import ChainMeta
from api.index.meta import chain_meta
from api.index.repository import checkpoint
from api.portfolio import figures, repository
from api.portfolio.repository import AddressKind, UserAddress
from api.portfolio.schemas import (
    AddressBalance,
    Distribution,
    Holding,
    PendingInvestment,
    Portfolio,
    PortfolioAddress,
    PortfolioTotals,
    ProjectReturns,
    Returns,
    ReturnsSummary,
    ReturnsTotals,
    Share,
)
from core.distributions.returns import ProjectReturns as ExactProjectReturns
from core.distributions.returns import Returns as ExactReturns
from core.distributions.returns import Share as ExactShare
from core.distributions.returns import as_decimal, returns_of

RETURNS_BASIS = (
    "`shares`, `by_project` and `summary` are exact: your merkle leaves of the distributions the platform recorded "
    "(largest remainder per address, at a final snapshot block), claimed or not as the index shows the "
    "Distributor's Claimed events; custodial shares are claimed for you, wallet shares from your wallet. "
    "`distributions` lists every ReturnsDistributed event on chain for projects you hold now or held at the "
    "snapshot, recorded by the platform or not: balance_at_snapshot and supply_at_snapshot are exact, from the "
    "indexed transfers; estimated_amount is total_amount pro rata to them, rounded down (less than one unit per "
    "address away from a leaf)."
)


def resolve_chain(session: Session, configured: int | None) -> int | None:
    """The configured chain, else the chain the mirror last wrote (one chain per deployment); None: nothing indexed."""
    if configured is not None:
        return configured
    row = checkpoint(session, None)
    return row.chain_id if row is not None else None


@dataclass(frozen=True)
class PortfolioView:
    """A portfolio with what it was read at, and what a listener matches notifications against."""

    portfolio: Portfolio
    meta: ChainMeta
    addresses: frozenset[str]
    projects: frozenset[int]


def _holding(project_id: int, rows: Sequence[Any], kinds: dict[str, AddressKind]) -> Holding:
    first = rows[0]
    cap = int(first.supply_cap)
    balance = sum(int(r.balance) for r in rows)
    frozen = sum(min(int(r.frozen), int(r.balance)) for r in rows)
    share = figures.share(balance, cap)
    return Holding(
        token_id=str(project_id),
        name=first.name,
        technology=first.technology,
        supply_cap=str(cap),
        balance=str(balance),
        share=share.text,
        share_exact=share.exact,
        value_cents=str(balance),
        value_dollars=figures.dollars(balance),
        frozen=str(frozen),
        exited=bool(first.exited),
        addresses=[
            AddressBalance(
                address=r.holder, kind=kinds[r.holder], balance=str(int(r.balance)), frozen=str(int(r.frozen))
            )
            for r in rows
        ],
    )


def _pending(rows: Sequence[repository.PendingRow]) -> list[PendingInvestment]:
    return [
        PendingInvestment(
            id=r.id,
            token_id=str(int(r.project_id)),
            name=r.name,
            amount_cents=r.amount_cents,
            amount_dollars=figures.dollars(r.amount_cents),
            method=r.method,
            status=r.status,
            created_at=r.created_at,
        )
        for r in rows
    ]


def _addresses(addresses: Sequence[UserAddress]) -> list[PortfolioAddress]:
    return [PortfolioAddress(address=a.address, kind=a.kind) for a in addresses]


def portfolio(session: Session, user_id: uuid.UUID, chain_id: int | None) -> PortfolioView:
    addresses = repository.user_addresses(session, user_id)
    kinds = {a.address: a.kind for a in addresses}
    wallets = [a.address for a in addresses if a.kind == "wallet"]
    chain = resolve_chain(session, chain_id)
    rows = repository.holdings(session, chain, list(kinds)) if chain is not None else []
    by_project: dict[int, list[Any]] = {}
    for row in rows:
        by_project.setdefault(int(row.project_id), []).append(row)
    holdings = [_holding(p, r, kinds) for p, r in by_project.items()]
    pending = _pending(repository.pending_investments(session, user_id, wallets))
    pending_cents = sum(p.amount_cents for p in pending)
    total = sum(int(h.balance) for h in holdings)
    totals = PortfolioTotals(
        projects=len(holdings),
        balance=str(total),
        value_cents=str(total),
        value_dollars=figures.dollars(total),
        frozen=str(sum(int(h.frozen) for h in holdings)),
        pending_cents=pending_cents,
        pending_dollars=figures.dollars(pending_cents),
    )
    result = Portfolio(
        addresses=_addresses(addresses),
        holdings=holdings,
        pending=pending,
        totals=totals,
        returns=_summary(returns_of(session, user_id)),
    )
    return PortfolioView(result, chain_meta(session, chain), frozenset(kinds), frozenset(by_project))


def _distribution(row: Any) -> Distribution | None:
    """The user's view of one distribution, or None when they neither hold the project nor held it at the snapshot."""
    at_snapshot = int(row.balance_now) - int(row.user_inflow)
    supply = int(row.minted) - int(row.supply_inflow)
    if int(row.balance_now) <= 0 and at_snapshot <= 0:
        return None
    # An index that disagrees with itself (never expected) gives no estimate rather than an error.
    consistent = 0 <= at_snapshot <= supply
    estimate = figures.pro_rata(int(row.total_amount), at_snapshot, supply) if consistent else None
    return Distribution(
        token_id=str(int(row.project_id)),
        name=row.name,
        distribution_id=str(int(row.distribution_id)),
        total_amount=str(int(row.total_amount)),
        merkle_root=row.merkle_root,
        snapshot_block=str(int(row.snapshot_block)),
        block_number=row.block_number,
        tx_hash=row.tx_hash,
        recorded_at=row.block_time,
        final=bool(row.final),
        balance_at_snapshot=str(at_snapshot),
        supply_at_snapshot=str(supply),
        estimated_amount=None if estimate is None else str(estimate),
    )


@dataclass(frozen=True)
class ReturnsView:
    returns: Returns
    total: int  # distributions in all (the answer holds one page of them)
    meta: ChainMeta


def returns(session: Session, user_id: uuid.UUID, chain_id: int | None, offset: int, limit: int) -> ReturnsView:
    chain = resolve_chain(session, chain_id)
    addresses = [a.address for a in repository.user_addresses(session, user_id)]
    rows = repository.distributions(session, chain, addresses) if chain is not None and addresses else []
    mine = [d for d in (_distribution(r) for r in rows) if d is not None]
    totals = ReturnsTotals(
        distributions=len(mine), estimated_amount=str(sum(int(d.estimated_amount or 0) for d in mine))
    )
    exact = returns_of(session, user_id)
    page = Returns(
        distributions=mine[offset : offset + limit],
        totals=totals,
        basis=RETURNS_BASIS,
        shares=[_share(s) for s in exact.shares],
        by_project=[_project_returns(p) for p in exact.projects],
        summary=_summary(exact),
    )
    return ReturnsView(page, len(mine), chain_meta(session, chain))


# ----- exact shares (the merkle leaves the platform recorded, core.distributions) ------------------


def _share(s: ExactShare) -> Share:
    return Share(
        distribution_id=s.distribution_id,
        project_id=s.project_id,
        token_id=str(s.token_id),
        name=s.project_name,
        distribution_type=s.distribution_type,
        distribution_date=s.distribution_date,
        account=s.account,
        account_kind=s.account_kind,  # type: ignore[arg-type]  # the table's check keeps it to the two
        amount_cents=s.amount_cents,
        amount_dollars=figures.dollars(s.amount_cents),
        claimed=s.claimed,
        claimed_at=s.claimed_at,
        claim_tx_hash=s.claim_tx_hash,
    )


def _project_returns(p: ExactProjectReturns) -> ProjectReturns:
    return ProjectReturns(
        project_id=p.project_id,
        token_id=str(p.token_id),
        name=p.project_name,
        principal_cents=p.principal_cents,
        distributed_cents=p.distributed_cents,
        claimed_cents=p.claimed_cents,
        unclaimed_cents=p.unclaimed_cents,
        yield_on_principal=as_decimal(p.yield_on_principal),
    )


def _summary(r: ExactReturns) -> ReturnsSummary:
    return ReturnsSummary(
        principal_cents=r.principal_cents,
        distributed_cents=r.distributed_cents,
        claimed_cents=r.claimed_cents,
        unclaimed_cents=r.distributed_cents - r.claimed_cents,
        yield_on_principal=as_decimal(r.yield_on_principal),
    )
