"""The indexer process's settings: the shared base and its sync knobs. It holds no signing key: it only reads."""

from __future__ import annotations

from pydantic import Field

from core.settings import ServiceSettings


class IndexerSettings(ServiceSettings):
    indexer_poll_interval: float = Field(default=1.0, description="Seconds between head polls.")
    indexer_finality_depth: int = Field(
        default=256, description="Blocks behind head taken as final when the RPC has no `finalized` tag."
    )
    indexer_max_block_range: int = Field(default=10_000, description="Largest eth_getLogs range tried in backfill.")
