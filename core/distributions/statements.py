"""A holder's final statement of a project: principal paid in, every distribution with their share and whether it
was claimed (from the index), the exit payout, and what they still hold. For one user (their custodial address and
linked wallets together) or for every holder at once (the admin's CSV)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.models.catalogue import Project
from core.models.distributions import Distribution, UserDistribution

PRINCIPAL_STATUSES = ("completed", "final")  # minted: the money became tokens


@dataclass
class DistributionLine:
    distribution_id: int
    distribution_type: str
    distribution_date: str
    amount_cents: int
    claimed_cents: int
    claimed_at: datetime | None


@dataclass
class Statement:
    holder: str  # a user id, or an address the platform knows no user for
    addresses: list[str]
    principal_cents: int = 0
    balance_units: int = 0
    lines: list[DistributionLine] = field(default_factory=list)

    @property
    def distributed_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def claimed_cents(self) -> int:
        return sum(line.claimed_cents for line in self.lines)

    @property
    def unclaimed_cents(self) -> int:
        return self.distributed_cents - self.claimed_cents

    @property
    def exit_payout_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines if line.distribution_type == "exit")


def user_addresses(session: Session, user_id: uuid.UUID) -> list[str]:
    rows = session.execute(
        text("""SELECT address FROM custodial_accounts WHERE user_id = :u AND address IS NOT NULL
                UNION SELECT address FROM user_wallets WHERE user_id = :u"""),
        {"u": user_id},
    ).all()
    return sorted(str(r[0]) for r in rows)


def _claims(session: Session, distribution_ids: list[int]) -> dict[tuple[int, str], datetime]:
    if not distribution_ids:
        return {}
    rows = session.execute(
        text("""SELECT distribution_id, account, min(block_time) FROM chain_claims
                WHERE distribution_id = ANY(:ids) GROUP BY 1, 2"""),
        {"ids": distribution_ids},
    ).all()
    return {(int(d), str(a)): at for d, a, at in rows}


def _principal(session: Session, project: Project, user_id: uuid.UUID | None, addresses: list[str]) -> int:
    total = session.execute(
        text("""SELECT coalesce(sum(amount_cents), 0) FROM investments
                WHERE chain_id = :c AND project_id = :p AND status = ANY(:s)
                  AND (investor_user_id = :u OR recipient = ANY(:a))"""),
        {"c": project.chain_id, "p": project.token_id, "s": list(PRINCIPAL_STATUSES), "u": user_id, "a": addresses},
    ).scalar()
    return int(total or 0)


def _balance(session: Session, project: Project, addresses: list[str]) -> int:
    total = session.execute(
        text("SELECT coalesce(sum(balance), 0) FROM chain_balances WHERE chain_id = :c AND project_id = :p "
             "AND holder = ANY(:a)"),
        {"c": project.chain_id, "p": project.token_id, "a": addresses},
    ).scalar()  # fmt: skip
    return int(total or 0)


def _lines(session: Session, project: Project, addresses: list[str]) -> list[DistributionLine]:
    distributions = session.scalars(
        select(Distribution).where(Distribution.project_id == project.id).order_by(Distribution.id)
    ).all()
    leaves = session.scalars(
        select(UserDistribution).where(
            UserDistribution.distribution_id.in_([d.id for d in distributions]), UserDistribution.account.in_(addresses)
        )
    ).all()
    claims = _claims(session, [d.id for d in distributions])
    by_distribution: dict[int, list[UserDistribution]] = defaultdict(list)
    for leaf in leaves:
        by_distribution[leaf.distribution_id].append(leaf)
    lines = []
    for d in distributions:
        mine = by_distribution.get(d.id, [])
        claimed = [leaf for leaf in mine if (d.id, leaf.account) in claims]
        times = [claims[(d.id, leaf.account)] for leaf in claimed]
        lines.append(
            DistributionLine(
                d.id,
                d.distribution_type,
                d.distribution_date.isoformat(),
                sum(leaf.amount_cents for leaf in mine),
                sum(leaf.amount_cents for leaf in claimed),
                max(times) if times else None,
            )
        )
    return lines


def statement_for_user(session: Session, project: Project, user_id: uuid.UUID) -> Statement:
    addresses = user_addresses(session, user_id)
    return Statement(
        holder=str(user_id),
        addresses=addresses,
        principal_cents=_principal(session, project, user_id, addresses),
        balance_units=_balance(session, project, addresses),
        lines=_lines(session, project, addresses),
    )


def statements_for_all(session: Session, project: Project) -> list[Statement]:
    """Every holder who held, was paid or invested: users grouped over their addresses, unknown addresses alone."""
    rows = session.execute(
        text("""
            SELECT a.address, coalesce(c.user_id, w.user_id) FROM (
                SELECT holder AS address FROM chain_balances WHERE chain_id = :c AND project_id = :p
                UNION SELECT ud.account FROM user_distributions ud
                      JOIN distributions d ON d.id = ud.distribution_id WHERE d.project_id = :project
                UNION SELECT recipient FROM investments
                      WHERE chain_id = :c AND project_id = :p AND recipient IS NOT NULL
            ) a
            LEFT JOIN custodial_accounts c ON c.address = a.address
            LEFT JOIN user_wallets w ON w.address = a.address
        """),
        {"c": project.chain_id, "p": project.token_id, "project": project.id},
    ).all()
    users: set[uuid.UUID] = set()
    loose: list[str] = []
    for address, user_id in rows:
        if user_id is not None:
            users.add(user_id)
        else:
            loose.append(str(address))
    out = [statement_for_user(session, project, u) for u in sorted(users)]
    for address in sorted(loose):
        out.append(
            Statement(
                holder=address,
                addresses=[address],
                principal_cents=_principal(session, project, None, [address]),
                balance_units=_balance(session, project, [address]),
                lines=_lines(session, project, [address]),
            )
        )
    return out


CSV_COLUMNS = (
    "holder",
    "addresses",
    "principal_cents",
    "balance_units",
    "distributed_cents",
    "claimed_cents",
    "unclaimed_cents",
    "exit_payout_cents",
)


def statements_csv(statements: list[Statement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in statements:
        row: list[Any] = [s.holder, " ".join(s.addresses), s.principal_cents, s.balance_units]
        row += [s.distributed_cents, s.claimed_cents, s.unclaimed_cents, s.exit_payout_cents]
        writer.writerow(row)
    return buffer.getvalue()
