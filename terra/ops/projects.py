"""How operator commands show a project (`ape run status`); the contract calls are in core/chain/ownership."""

from __future__ import annotations

from core.chain.ownership import Project


def funded_percent(project: Project) -> float:
    """Share of the funding target raised so far, for display only (amounts stay integer cents)."""
    return 100 * project.total_supply / project.supply_cap if project.supply_cap else 0.0


def status_line(project: Project) -> str:
    return (
        f"project {project.project_id}: raised ${project.total_supply / 100:,.2f} of ${project.supply_cap / 100:,.2f} "
        f"({funded_percent(project):.2f}%), metadata {project.metadata_cid}{', exited' if project.exited else ''}"
    )
