"""The demo projects' catalogue rows, tied to what the chain holds (token id, cap, metadata CID), so that `terra dev`
shows them in the API's catalogue. Safe to run twice: a row that matches the chain is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from web3 import Web3

from core.chain.deployments import Deployment
from core.chain.ownership import read_project
from core.models import Project
from terra.ops import Report


@dataclass(frozen=True)
class DemoTerms:
    """What the catalogue says of a demo project beyond its metadata document."""

    status: str
    min_investment_cents: int
    expected_return_annual: Decimal
    exit_timeline_years: int

    def offering(self) -> dict[str, Any]:
        """The offering terms as the admin API pins them (api/admin/metadata.offering_terms)."""
        return {
            "min_investment_cents": self.min_investment_cents,
            "expected_return_annual_percent": format(self.expected_return_annual.normalize(), "f"),
            "exit_timeline_years": self.exit_timeline_years,
        }


DEMO_TERMS: dict[int, DemoTerms] = {
    1: DemoTerms("operating", 1_000, Decimal("7.50"), 15),
    2: DemoTerms("construction", 1_000, Decimal("8.25"), 20),
    3: DemoTerms("planning", 2_500, Decimal("6.80"), 25),
}


def catalogue_row(project: dict[str, Any], chain_id: int, supply_cap: int, metadata_cid: str) -> dict[str, Any]:
    terms = DEMO_TERMS[project["token_id"]]
    location = project["location"]
    return {
        "chain_id": chain_id,
        "token_id": Decimal(project["token_id"]),
        "name": project["name"],
        "description": project["description"],
        "technology": project["technology"],
        "capacity_mw": Decimal(project["capacity_mw"]),
        "location_country": location["country"],
        "location_city": location.get("city"),
        "latitude": Decimal(location["latitude"]) if "latitude" in location else None,
        "longitude": Decimal(location["longitude"]) if "longitude" in location else None,
        "status": terms.status,
        "target_cents": supply_cap,
        "min_investment_cents": terms.min_investment_cents,
        "expected_return_annual": terms.expected_return_annual,
        "exit_timeline_years": terms.exit_timeline_years,
        "metadata_cid": metadata_cid,
    }


def upsert_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows; a row already there is updated only where the chain says otherwise (a new local chain
    whose documents differ). Returns how many rows were written."""
    if not rows:
        return 0
    stmt = insert(Project).values(rows)
    changed = (Project.metadata_cid.is_distinct_from(stmt.excluded.metadata_cid)) | (
        Project.target_cents != stmt.excluded.target_cents
    )
    upsert = stmt.on_conflict_do_update(
        constraint="uq_projects_chain_token",
        set_={
            "metadata_cid": stmt.excluded.metadata_cid,
            "target_cents": stmt.excluded.target_cents,
            "updated_at": func.clock_timestamp(),
        },
        where=changed,
    ).returning(Project.id)
    return len(session.execute(upsert).all())


def seed_catalogue(
    engine: Engine, w3: Web3, deployment: Deployment, projects: list[dict[str, Any]], report: Report = print
) -> int:
    """Catalogue rows for the demo projects that exist on chain, with the chain's cap and metadata CID."""
    rows = []
    for project in projects:
        on_chain = read_project(w3, deployment, project["token_id"])
        if on_chain is not None:
            rows.append(catalogue_row(project, deployment.chain_id, on_chain.supply_cap, on_chain.metadata_cid))
    with Session(engine) as session, session.begin():
        written = upsert_rows(session, rows)
    report(f"catalogue: {written} demo project row(s) written, {len(rows) - written} already up to date")
    return written
