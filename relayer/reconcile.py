"""Reconciliation: prove every succeeded payment has exactly one indexed mint (or an explicit refund / failure),
every indexed mint has a payment, every distribution's totals and claims add up (relayer/distribution_reconcile.py),
and list what an admin must look at. Read-only; exit code says if anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models.chain_payments import ChainMint
from core.models.investments import Investment
from core.models.payments import PaymentFlag
from relayer.distribution_reconcile import KINDS as DISTRIBUTION_KINDS
from relayer.distribution_reconcile import PoolReader, reconcile_distributions
from relayer.tx.repository import stuck_transactions

# Statuses that settle a paid investment without a mint: each is an explicit record of why.
SETTLED_WITHOUT_MINT = ("failed", "refunded", "cancelled", "disputed")


@dataclass
class Finding:
    kind: str
    ref: str
    detail: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        kinds = ("paid_not_minted", "mint_without_payment", "flagged", "stuck_transaction", *DISTRIBUTION_KINDS)
        return {k: sum(1 for f in self.findings if f.kind == k) for k in kinds}

    @property
    def clean(self) -> bool:
        return not self.findings


def reconcile(
    session: Session, chain_id: int, *, grace: timedelta, stuck_after: timedelta, pools: PoolReader | None = None
) -> Report:
    report = Report()
    now = datetime.now(UTC)
    minted = select(ChainMint.payment_ref).where(
        ChainMint.chain_id == Investment.chain_id, ChainMint.payment_ref == Investment.payment_ref
    )
    # ChainMint is keyed by (chain, reference): "exactly one" is "one exists"; the key makes two impossible.
    for inv in session.scalars(
        select(Investment)
        .where(
            Investment.chain_id == chain_id,
            Investment.paid_at.is_not(None),
            Investment.paid_at < now - grace,
            Investment.status.not_in(SETTLED_WITHOUT_MINT),
            ~minted.exists(),
        )
        .order_by(Investment.paid_at)
    ):
        report.findings.append(
            Finding("paid_not_minted", str(inv.id), f"paid at {inv.paid_at:%Y-%m-%d %H:%M:%S}, status {inv.status}")
        )
    paid = select(Investment.id).where(
        Investment.chain_id == ChainMint.chain_id,
        Investment.payment_ref == ChainMint.payment_ref,
        Investment.paid_at.is_not(None),
    )
    for mint in session.scalars(
        select(ChainMint).where(ChainMint.chain_id == chain_id, ~paid.exists()).order_by(ChainMint.block_number)
    ):
        report.findings.append(
            Finding(
                "mint_without_payment",
                mint.payment_ref,
                f"{mint.amount} of project {mint.project_id} to {mint.investor} in {mint.tx_hash}",
            )
        )
    for flag in session.scalars(select(PaymentFlag).where(PaymentFlag.resolved_at.is_(None)).order_by(PaymentFlag.id)):
        about = f" investment {flag.investment_id}" if flag.investment_id else ""
        report.findings.append(Finding("flagged", f"{flag.source}:{flag.source_ref}", f"{flag.reason}{about}"))
    for tx in stuck_transactions(session, now, stuck_after):
        report.findings.append(Finding("stuck_transaction", str(tx.id), f"{tx.purpose} nonce {tx.nonce} {tx.status}"))
    for kind, ref, detail in reconcile_distributions(session, chain_id, pools):
        report.findings.append(Finding(kind, ref, detail))
    return report
