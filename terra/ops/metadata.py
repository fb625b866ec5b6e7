"""Demo project metadata as content-addressed ERC-1155 documents pinned in the configured content store (the same
shape the admin API pins: the document `uri(id)` serves)."""

from __future__ import annotations

from typing import Any

from core.settings import ContentStoreSettings


def demo_metadata_cid(settings: ContentStoreSettings, project: dict[str, Any]) -> str:
    """Pin the project's ERC-1155 metadata document and return its CID (what goes on chain)."""
    from ipfs.configured import open_store
    from ipfs.metadata import ProjectMetadata, erc1155_document, pin_document
    from terra.ops.demo_catalogue import DEMO_TERMS

    meta = ProjectMetadata.model_validate(project)
    terms = DEMO_TERMS.get(meta.token_id)
    document = erc1155_document(meta, offering=terms.offering() if terms is not None else None)
    with open_store(settings) as store:
        return pin_document(store, document)
