"""Demo data for local chains: the three demo projects, a handful of investments and the relayer's stablecoin float
(it funds distributions). Safe to run twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from core.chain.abis import STABLECOIN, load_abi
from core.chain.accounts import LOCAL_INVESTORS, anvil_account
from core.chain.deployments import Deployment
from core.chain.ownership import Mint, allow, create_project, is_allowed, is_minted, mint, read_project
from core.chain.payment_ref import payment_ref
from core.chain.transactions import transact
from terra.ops import Report

DEMO_PROJECTS_FILE = Path(__file__).with_name("demo_projects.json")
# What the relayer holds of the local test stablecoin (6 decimals) to fund distributions: $1,000,000.
RELAYER_FLOAT_UNITS = 1_000_000 * 10**6

# (investor index into LOCAL_INVESTORS, project id, cents)
DEMO_INVESTMENTS: tuple[tuple[int, int, int], ...] = (
    (0, 1, 1_000),  # the $10 minimum
    (1, 1, 25_000),
    (2, 2, 100_000),
    (0, 2, 10_000),
    (3, 3, 5_000),
    (1, 3, 250_000),
)


def demo_projects() -> list[dict[str, Any]]:
    projects: list[dict[str, Any]] = json.loads(DEMO_PROJECTS_FILE.read_text())
    return projects


@dataclass(frozen=True)
class SeedResult:
    projects_created: list[int]
    mints: list[tuple[int, str, int]]
    skipped: int


def seed(
    w3: Web3,
    deployment: Deployment,
    admin: LocalAccount,
    minter: LocalAccount,
    metadata_cid: Callable[[dict[str, Any]], str],
    report: Report = print,
) -> SeedResult:
    """Create the demo projects (metadata CID from `metadata_cid`), allowlist the demo investors and mint."""
    created: list[int] = []
    skipped = 0
    for project in demo_projects():
        pid = project["token_id"]
        if read_project(w3, deployment, pid) is not None:
            skipped += 1
            continue
        cid = metadata_cid(project)
        create_project(w3, deployment, admin, pid, project["supply_cap_cents"], cid)
        created.append(pid)
        report(f"project {pid} {project['name']!r}: cap ${project['supply_cap_cents'] / 100:,.2f}, metadata {cid}")

    investors = [anvil_account(i).address for i in LOCAL_INVESTORS]
    if not all(is_allowed(w3, deployment, a) for a in investors):
        allow(w3, deployment, admin, investors)
        report(f"allowlisted {len(investors)} demo investors")

    mints: list[tuple[int, str, int]] = []
    for n, (investor_index, pid, cents) in enumerate(DEMO_INVESTMENTS):
        ref = payment_ref(f"demo-investment-{n}")
        if is_minted(w3, deployment, ref):
            skipped += 1
            continue
        investor = investors[investor_index]
        mint(w3, deployment, minter, Mint(pid, investor, cents, ref))
        mints.append((pid, investor, cents))
        report(f"minted {cents} units (${cents / 100:,.2f}) of project {pid} to {investor}")
    _float_relayer(w3, deployment, admin, minter.address, report)
    return SeedResult(created, mints, skipped)


def _float_relayer(w3: Web3, deployment: Deployment, owner: LocalAccount, relayer: str, report: Report) -> None:
    """The relayer's key funds distributions from its own stablecoin balance: on a local chain the test stablecoin's
    owner (the deployer) tops it up to RELAYER_FLOAT_UNITS. In production the treasury keeps it topped up."""
    if STABLECOIN not in deployment.contracts:
        return
    coin = w3.eth.contract(address=Web3.to_checksum_address(deployment.address(STABLECOIN)), abi=load_abi(STABLECOIN))
    balance = int(coin.functions.balanceOf(relayer).call())
    if balance >= RELAYER_FLOAT_UNITS:
        return
    transact(w3, owner, coin.functions.mint(relayer, RELAYER_FLOAT_UNITS - balance))
    report(f"minted {(RELAYER_FLOAT_UNITS - balance) / 10**6:,.2f} test stablecoin to the relayer {relayer}")
