"""SQL reads of the mirror for `status` and `verify`."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session


def balances(session: Session, chain_id: int) -> list[tuple[int, str, int]]:
    rows = session.execute(
        text("SELECT project_id, holder, balance FROM chain_balances WHERE chain_id = :c ORDER BY project_id, holder"),
        {"c": chain_id},
    ).all()
    return [(int(p), h, int(b)) for p, h, b in rows]


def frozen(session: Session, chain_id: int) -> list[tuple[int, str, int]]:
    """(project, account, frozen amount) per mirrored freeze, released ones (0) included: the chain must say 0 too."""
    rows = session.execute(
        text("SELECT project_id, account, amount FROM chain_frozen WHERE chain_id = :c ORDER BY project_id, account"),
        {"c": chain_id},
    ).all()
    return [(int(p), a, int(f)) for p, a, f in rows]


def supplies(session: Session, chain_id: int) -> list[tuple[int, int, int, int]]:
    """(project, minted, cap, sum of balances) per project."""
    rows = session.execute(
        text("""SELECT p.project_id, p.minted, p.supply_cap, COALESCE(sum(b.balance), 0)
                FROM chain_projects p
                LEFT JOIN chain_balances b ON b.chain_id = p.chain_id AND b.project_id = p.project_id
                WHERE p.chain_id = :c GROUP BY p.project_id, p.minted, p.supply_cap ORDER BY p.project_id"""),
        {"c": chain_id},
    ).all()
    return [(int(p), int(m), int(cap), int(Decimal(s))) for p, m, cap, s in rows]


def event_count(session: Session, chain_id: int) -> int:
    return int(
        session.execute(text("SELECT count(*) FROM chain_events WHERE chain_id = :c"), {"c": chain_id}).scalar_one()
    )
