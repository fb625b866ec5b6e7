"""deployments/<chain_id>.json: what was deployed where; every service reads addresses from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.chain.errors import DeploymentNotFound


class DeployedContract(BaseModel):
    address: str
    tx_hash: str
    block_number: int
    constructor_args: str  # ABI-encoded, hex without 0x: what an explorer asks for


class Deployment(BaseModel):
    chain_id: int
    solc_version: str
    standard_input_sha256: str
    standard_input_file: str  # beside this file
    contracts: dict[str, DeployedContract]
    roles: dict[str, str] = {}

    @property
    def deploy_block(self) -> int:
        return min(c.block_number for c in self.contracts.values())

    def address(self, name: str) -> str:
        return self.contracts[name].address


def deployment_file(directory: Path, chain_id: int) -> Path:
    return directory / f"{chain_id}.json"


def save_deployment(directory: Path, deployment: Deployment, standard_input: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / deployment.standard_input_file).write_text(json.dumps(standard_input, sort_keys=True))
    path = deployment_file(directory, deployment.chain_id)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(deployment.model_dump_json(indent=2) + "\n")
    tmp.replace(path)
    return path


def load_deployment(directory: Path, chain_id: int) -> Deployment:
    path = deployment_file(directory, chain_id)
    if not path.exists():
        raise DeploymentNotFound(f"no deployment for chain id {chain_id} at {path}; run `terra contracts deploy`")
    return Deployment.model_validate_json(path.read_text())


def load_standard_input(directory: Path, deployment: Deployment) -> dict[str, Any]:
    standard_input: dict[str, Any] = json.loads((directory / deployment.standard_input_file).read_text())
    return standard_input
