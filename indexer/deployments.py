"""Which deployment a chain's mirror follows. The indexer records it in `chain_deployments` when it starts an empty
mirror (before its first batch), and from then on refuses a deployments file naming other contracts: a new
deployment on the same chain (`terra contracts deploy` or `ape run deploy` again) is named with its fix, instead
of being mixed into the mirror or reported by `verify` as balance mismatches."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core.chain.abis import OWNERSHIP
from core.chain.deployments import Deployment, deployment_file
from indexer.errors import DeploymentChanged
from indexer.store import chain_sql
from indexer.store.cursor import pg_cursor
from indexer.store.deployments_sql import (
    RecordedContract,
    foreign_event_exists,
    lock_deployment,
    read_deployment,
    replace_deployment,
)


def contracts_of(deployment: Deployment) -> list[RecordedContract]:
    return sorted(
        RecordedContract(name, c.address.lower(), c.block_number, c.tx_hash) for name, c in deployment.contracts.items()
    )


def _where(contracts: list[RecordedContract]) -> str:
    main = next((c for c in contracts if c.contract_name == OWNERSHIP), contracts[0])
    return f"{main.contract_name} {main.address} from block {min(c.deploy_block for c in contracts)}"


def changed_message(deployment: Deployment, recorded: list[RecordedContract], deployments_dir: Path) -> str:
    """One line: what the mirror follows, what the file names now, and the two ways out."""
    current = contracts_of(deployment)
    return (
        f"{deployment_file(deployments_dir, deployment.chain_id)} names a new deployment ({_where(current)}) but this "
        f"mirror follows {_where(recorded) if recorded else 'other contracts'}: run `terra indexer reindex "
        f"--from-block {deployment.deploy_block}` to mirror the new one, or point DEPLOYMENTS_DIR at the old one's file"
    )


def followed(session: Session, chain_id: int) -> list[RecordedContract]:
    """The contracts the mirror was built from (empty before the indexer first started on this database)."""
    return read_deployment(pg_cursor(session), chain_id)


def deployment_change(session: Session, deployment: Deployment, deployments_dir: Path) -> str | None:
    """Read-only (`status`, `verify`): the one-line explanation when the file names other contracts than the
    mirror was built from, else None. A mirror with no record yet is judged by the events it holds."""
    cur = pg_cursor(session)
    recorded = read_deployment(cur, deployment.chain_id)
    current = contracts_of(deployment)
    if recorded:
        return changed_message(deployment, recorded, deployments_dir) if recorded != current else None
    if foreign_event_exists(cur, deployment.chain_id, [c.address for c in current]):
        return changed_message(deployment, [], deployments_dir)
    return None


def follow_deployment(session: Session, deployment: Deployment, deployments_dir: Path) -> None:
    """In the caller's transaction: an empty mirror (no checkpoint) records `deployment` as the one it follows; a
    mirror of another deployment raises DeploymentChanged and nothing is written."""
    cur = pg_cursor(session)
    chain_id = deployment.chain_id
    lock_deployment(cur, chain_id)
    current = contracts_of(deployment)
    if chain_sql.read_checkpoint(cur, chain_id) is not None:
        problem = deployment_change(session, deployment, deployments_dir)
        if problem is not None:
            raise DeploymentChanged(problem)
    if read_deployment(cur, chain_id) != current:
        # An empty mirror, or a mirror indexed before deployments were recorded whose events all belong to this one.
        replace_deployment(cur, chain_id, current)
