"""The emails, pure: a notification's kind and facts in, a plain-text subject and body out.

Plain text only, so nothing in a project name can become markup; every interpolated value is flattened to one
line (no CR/LF reaches a header) and cut to a sane length."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_SPACE = re.compile(r"\s+")
MAX_FIELD = 120
# Distributions pay in the platform's stablecoin: USDC, and the local test stablecoin, both have 6 decimals.
STABLECOIN_DECIMALS = 6
STABLECOIN = "USDC"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def one_line(value: object) -> str:
    text = _SPACE.sub(" ", str(value)).strip()
    text = "".join(c for c in text if c.isprintable())
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 1] + "…"


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def stablecoin(amount: int) -> str:
    whole, fraction = divmod(amount, 10**STABLECOIN_DECIMALS)
    return f"{whole:,}.{fraction:0{STABLECOIN_DECIMALS}d} {STABLECOIN}"


def share(units: int, supply: int) -> str:
    if supply <= 0:
        return "0%"
    return f"{(Decimal(units) * 100 / Decimal(supply)).quantize(Decimal('0.01'))}%"


def _project(payload: dict[str, Any]) -> str:
    name = payload.get("project_name")
    return one_line(name) if name else f"project #{one_line(payload['project_id'])}"


def investment_completed(payload: dict[str, Any]) -> Email:
    project = _project(payload)
    lines = [
        f"Your investment of {dollars(int(payload['amount_cents']))} in {project} is complete.",
        f"{payload['amount_cents']} ownership units were minted to your address.",
    ]
    if payload.get("mint_tx_hash"):
        lines.append(f"Transaction: {one_line(payload['mint_tx_hash'])}")
    lines += ["", f"Investment reference: {one_line(payload['investment_id'])}"]
    return Email(f"Your investment in {project} is complete", "\n".join(lines))


def investment_failed(payload: dict[str, Any]) -> Email:
    project = _project(payload)
    lines = [
        f"Your investment of {dollars(int(payload['amount_cents']))} in {project} could not be completed.",
        "No ownership units were issued for it. If you were charged, the payment is returned to you;",
        "our team has been told and will contact you if anything is needed.",
        "",
        f"Investment reference: {one_line(payload['investment_id'])}",
    ]
    return Email(f"Your investment in {project} could not be completed", "\n".join(lines))


def distribution_recorded(payload: dict[str, Any]) -> Email:
    project = _project(payload)
    units, supply = int(payload["units"]), int(payload["supply"])
    lines = [
        f"Returns were distributed to the owners of {project}.",
        f"At the snapshot (block {payload['snapshot_block']}) you held {units:,} of {supply:,} units "
        f"({share(units, supply)}).",
        f"Your share: {stablecoin(int(payload['amount']))} of {stablecoin(int(payload['total_amount']))}, "
        "to claim from your portfolio.",
        "",
        f"Distribution {payload['distribution_id']}, transaction {one_line(payload['tx_hash'])}",
    ]
    return Email(f"Returns distributed for {project}", "\n".join(lines))


RENDERERS = {
    "investment_completed": investment_completed,
    "investment_failed": investment_failed,
    "distribution_recorded": distribution_recorded,
}


def render(kind: str, payload: dict[str, Any]) -> Email:
    return RENDERERS[kind](payload)
