"""Demo project metadata as content-addressed documents pinned in the configured content store."""

from __future__ import annotations

from typing import Any

from core.settings import ContentStoreSettings


def demo_metadata_cid(settings: ContentStoreSettings, project: dict[str, Any]) -> str:
    """Pin the project's canonical metadata document and return its CID (what goes on chain)."""
    from ipfs.configured import open_store
    from ipfs.metadata import ProjectMetadata, pin_metadata

    with open_store(settings) as store:
        return pin_metadata(store, ProjectMetadata.model_validate(project))
