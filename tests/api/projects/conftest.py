"""Catalogue rows for the projects tests, written straight to the database: demo-looking projects, their indexed
figures (chain_projects, holder counts, exits) and the indexer's checkpoint, as the indexer would leave them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.models import (
    ChainCheckpoint,
    ChainExit,
    ChainHolderCount,
    ChainProject,
    Project,
    ProjectDocument,
    ProjectUpdate,
)

CHAIN_ID = 31337
_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def block_hash(number: int, salt: str = "") -> str:
    return "0x" + uuid.uuid5(uuid.NAMESPACE_OID, f"{number}{salt}").hex * 2


@dataclass
class Catalogue:
    """Writes catalogue and index rows, each call in its own committed transaction."""

    engine: Engine
    _token_ids: Any = field(default_factory=lambda: count(1))

    def project(self, **fields: Any) -> dict[str, Any]:
        token_id = fields.pop("token_id", None) or next(self._token_ids)
        n = int(token_id)
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "chain_id": CHAIN_ID,
            "token_id": Decimal(token_id),
            "name": f"Solar Park {n}",
            "description": "A ground-mounted photovoltaic plant with community ownership.",
            "technology": "solar",
            "capacity_mw": Decimal("12.50"),
            "location_country": "DE",
            "location_city": "Leipzig",
            "latitude": Decimal("51.339700"),
            "longitude": Decimal("12.373100"),
            "status": "operating",
            "target_cents": 50_000_000,
            "min_investment_cents": 1000,
            "expected_return_annual": Decimal("6.50"),
            "exit_timeline_years": 20,
            "metadata_cid": None,
            "created_at": _T0 + timedelta(days=n),
        } | fields
        with Session(self.engine) as session, session.begin():
            session.add(Project(**values))
        return values

    def on_chain(
        self,
        project: dict[str, Any],
        *,
        minted: int = 0,
        holders: int = 0,
        cap: int | None = None,
        exited: bool = False,
    ) -> None:
        token = project["token_id"]
        with Session(self.engine) as session, session.begin():
            session.merge(
                ChainProject(
                    chain_id=project["chain_id"],
                    project_id=token,
                    supply_cap=Decimal(cap if cap is not None else project["target_cents"]),
                    minted=Decimal(minted),
                    metadata_cid="bafy-test",
                    exited=exited,
                    community_dao="0x" + "d" * 40 if exited else None,
                    created_block=1,
                    created_tx=block_hash(1, "tx"),
                )
            )
            session.merge(ChainHolderCount(chain_id=project["chain_id"], project_id=token, holders=holders))
            if exited:
                session.merge(
                    ChainExit(
                        chain_id=project["chain_id"],
                        project_id=token,
                        community_dao="0x" + "d" * 40,
                        block_number=7,
                        block_hash=block_hash(7),
                        tx_hash=block_hash(7, "tx"),
                        log_index=0,
                        block_time=_T0,
                    )
                )

    def checkpoint(self, number: int, *, finalized: int | None = None, salt: str = "", chain_id: int = CHAIN_ID) -> str:
        hash_ = block_hash(number, salt)
        with Session(self.engine) as session, session.begin():
            session.merge(
                ChainCheckpoint(
                    chain_id=chain_id,
                    block_number=number,
                    block_hash=hash_,
                    finalized_block=finalized if finalized is not None else max(number - 2, -1),
                    updated_at=datetime.now(UTC),
                )
            )
        return hash_

    def document(self, project: dict[str, Any], title: str, cid: str, created_at: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                ProjectDocument(
                    project_id=project["id"], title=title, cid=cid, media_type="application/pdf", created_at=created_at
                )
            )

    def update(self, project: dict[str, Any], title: str, published_at: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                ProjectUpdate(
                    project_id=project["id"], title=title, content=f"{title}: details.", published_at=published_at
                )
            )

    def sql(self, statement: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(statement), params)


@pytest.fixture
def catalogue(clean_db: Engine) -> Catalogue:
    return Catalogue(clean_db)
