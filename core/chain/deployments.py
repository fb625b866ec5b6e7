"""deployments/<chain_id>.json: what was deployed where; every service reads addresses from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, model_validator

from core.chain.errors import DeploymentNotFound


class DeployedContract(BaseModel):
    address: str
    tx_hash: str
    block_number: int
    constructor_args: str  # ABI-encoded, hex without 0x: what an explorer asks for


# role name (e.g. MINTER_ROLE) -> checksummed holders, as granted at deploy
RoleHolders = dict[str, list[str]]


class Deployment(BaseModel):
    chain_id: int
    solc_version: str
    standard_input_sha256: str
    standard_input_file: str  # beside this file
    contracts: dict[str, DeployedContract]
    roles: dict[str, RoleHolders] = {}  # contract name -> its roles after the deploy
    deployer: str | None = None  # the key that deployed; it holds no role after a production deploy
    stablecoin: str | None = None
    treasury: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_roles(cls, data: Any) -> Any:
        """Files written before roles were recorded per contract held one flat map of the ownership contract's
        roles, the stablecoin and the treasury: read them into today's shape."""
        if isinstance(data, dict) and any(isinstance(v, str) for v in data.get("roles", {}).values()):
            flat = dict(data["roles"])
            data = {**data, "stablecoin": flat.pop("stablecoin", None), "treasury": flat.pop("treasury", None)}
            data["roles"] = {"TerraLuminaOwnership": {role: [holder] for role, holder in flat.items()}}
        return data

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
