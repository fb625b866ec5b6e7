"""The ERC-1155 metadata document of a catalogue project: what is pinned when the project is created, what its
on-chain `metadataCid` names and what `GET /api/v1/metadata/{id}` serves. Pure: a catalogue row in, JSON out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.models import Project
from ipfs.metadata import Location, ProjectMetadata, erc1155_document, json_bytes


def _decimal_text(value: Decimal) -> str:
    return "0" if value == 0 else format(value.normalize(), "f")


def project_metadata(project: Project, technical_specs: dict[str, str | int | bool] | None = None) -> ProjectMetadata:
    location = Location(
        country=project.location_country or "ZZ",  # ISO 3166 user-assigned "unknown"; the admin API requires one
        city=project.location_city,
        latitude=project.latitude,
        longitude=project.longitude,
    )
    return ProjectMetadata(
        token_id=int(project.token_id),
        supply_cap_cents=project.target_cents,
        name=project.name,
        description=project.description,
        technology=project.technology,  # type: ignore[arg-type]  # validated into the Technology enum
        capacity_mw=project.capacity_mw if project.capacity_mw is not None else Decimal(0),
        location=location,
        technical_specs=technical_specs or {},
        project_id=str(project.id) if project.id is not None else None,
    )


def offering_terms(project: Project) -> dict[str, Any]:
    """The terms of the offer, fixed at creation (the status is not: it changes, and the document cannot)."""
    terms: dict[str, Any] = {"min_investment_cents": project.min_investment_cents}
    if project.expected_return_annual is not None:
        terms["expected_return_annual_percent"] = _decimal_text(project.expected_return_annual)
    if project.exit_timeline_years is not None:
        terms["exit_timeline_years"] = project.exit_timeline_years
    return terms


def project_document(project: Project, technical_specs: dict[str, str | int | bool] | None = None) -> dict[str, Any]:
    return erc1155_document(project_metadata(project, technical_specs), offering=offering_terms(project))


def project_document_bytes(project: Project, technical_specs: dict[str, str | int | bool] | None = None) -> bytes:
    return json_bytes(project_document(project, technical_specs))
