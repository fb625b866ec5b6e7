"""Demo project metadata as content-addressed documents pinned in the configured content store."""

from __future__ import annotations

from typing import Any

from core.settings import Settings


def demo_metadata_cid(settings: Settings, project: dict[str, Any]) -> str:
    """Pin the project's canonical metadata document and return its CID (what goes on chain)."""
    from ipfs.metadata import ProjectMetadata, pin_metadata
    from ipfs.store import open_store

    with open_store(settings) as store:
        return pin_metadata(store, ProjectMetadata.model_validate(project))
