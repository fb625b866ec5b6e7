"""A user's returns: every distribution share at any of their addresses (custodial or linked wallets), whether the
index saw it claimed and by which transaction, totals per project and overall, and the yield against the principal
they paid in (investments minted: completed or final). Read-only; amounts in cents, yields as exact fractions."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.distributions.statements import PRINCIPAL_STATUSES, user_addresses


@dataclass(frozen=True)
class Share:
    distribution_id: int
    project_id: uuid.UUID
    token_id: int
    project_name: str
    distribution_type: str
    distribution_date: date
    account: str
    account_kind: str
    amount_cents: int
    claimed: bool
    claimed_at: datetime | None
    claim_tx_hash: str | None


@dataclass
class ProjectReturns:
    project_id: uuid.UUID
    token_id: int
    project_name: str
    principal_cents: int = 0
    distributed_cents: int = 0
    claimed_cents: int = 0

    @property
    def unclaimed_cents(self) -> int:
        return self.distributed_cents - self.claimed_cents

    @property
    def yield_on_principal(self) -> Fraction | None:
        return Fraction(self.distributed_cents, self.principal_cents) if self.principal_cents else None


@dataclass
class Returns:
    shares: list[Share] = field(default_factory=list)
    projects: list[ProjectReturns] = field(default_factory=list)

    @property
    def principal_cents(self) -> int:
        return sum(p.principal_cents for p in self.projects)

    @property
    def distributed_cents(self) -> int:
        return sum(p.distributed_cents for p in self.projects)

    @property
    def claimed_cents(self) -> int:
        return sum(p.claimed_cents for p in self.projects)

    @property
    def yield_on_principal(self) -> Fraction | None:
        principal = self.principal_cents
        return Fraction(self.distributed_cents, principal) if principal else None


def as_decimal(value: Fraction | None, places: int = 6) -> str | None:
    """An exact fraction shown to `places` decimals (rounded half even), for JSON."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum))


def returns_of(session: Session, user_id: uuid.UUID) -> Returns:
    addresses = user_addresses(session, user_id)
    rows = session.execute(
        text("""
            SELECT d.id, d.project_id, d.token_id, p.name, d.distribution_type, d.distribution_date,
                   ud.account, ud.account_kind, ud.amount_cents, c.tx_hash, c.block_time
            FROM user_distributions ud
            JOIN distributions d ON d.id = ud.distribution_id
            JOIN projects p ON p.id = d.project_id
            LEFT JOIN LATERAL (
                SELECT tx_hash, block_time FROM chain_claims e
                WHERE e.chain_id = d.chain_id AND e.distribution_id = d.id AND e.account = ud.account
                ORDER BY block_number LIMIT 1
            ) c ON true
            WHERE ud.user_id = :u OR ud.account = ANY(:a)
            ORDER BY d.distribution_date DESC, d.id DESC, ud.account
        """),
        {"u": user_id, "a": addresses},
    ).all()
    shares = [
        Share(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5], r[6], r[7], int(r[8]), r[9] is not None, r[10], r[9])
        for r in rows
    ]
    projects: dict[uuid.UUID, ProjectReturns] = {}
    for s in shares:
        p = projects.setdefault(s.project_id, ProjectReturns(s.project_id, s.token_id, s.project_name))
        p.distributed_cents += s.amount_cents
        p.claimed_cents += s.amount_cents if s.claimed else 0
    principal: dict[uuid.UUID, int] = defaultdict(int)
    for project_id, token_id, name, cents in session.execute(
        text("""SELECT p.id, p.token_id, p.name, sum(i.amount_cents) FROM investments i
                JOIN projects p ON p.chain_id = i.chain_id AND p.token_id = i.project_id
                WHERE i.status = ANY(:s) AND (i.investor_user_id = :u OR i.recipient = ANY(:a))
                GROUP BY p.id, p.token_id, p.name"""),
        {"s": list(PRINCIPAL_STATUSES), "u": user_id, "a": addresses},
    ).all():
        principal[project_id] = int(cents)
        projects.setdefault(project_id, ProjectReturns(project_id, int(token_id), name))
    for project_id, cents in principal.items():
        projects[project_id].principal_cents = cents
    return Returns(shares, sorted(projects.values(), key=lambda p: p.token_id))
