"""Distributions: building the merkle tree and every proof for many holders, and the gas of a claim.

    .venv/bin/python bench/distributions.py [--holders 100000] [--sizes 1,10,100] [--output FILE]

Tree: `--holders` random holders with random balances; the largest-remainder allocation of a $1,000,000.00
distribution, the StandardMerkleTree of (account, amount) leaves and all proofs, timed part by part, with the
process's peak memory (ru_maxrss). Gas: on a fresh anvil with the contracts deployed, a distribution over
max(sizes) + 1 holders is recorded, a Distributor funded, then one `claim` and one `claimBatch` of each size paid
(to accounts holding no stablecoin yet, as most holders are); gasUsed from the receipts.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web3 import Web3  # noqa: E402

from core.chain.abis import OWNERSHIP, STABLECOIN  # noqa: E402
from core.chain.accounts import anvil_account  # noqa: E402
from core.chain.compiler import compile_project  # noqa: E402
from core.chain.connection import connect  # noqa: E402
from core.chain.transactions import send, transact  # noqa: E402
from core.distributions.allocation import allocate  # noqa: E402
from core.distributions.merkle import StandardMerkleTree  # noqa: E402
from terra.local.anvil import Anvil  # noqa: E402
from terra.ops.deploy import DeployPlan, deploy, role_id  # noqa: E402

LEAF = ("address", "uint256")
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
UNITS_PER_CENT = 10**4


def holders(count: int, seed: int = 7) -> dict[str, int]:
    rnd = random.Random(seed)
    return {Web3.to_checksum_address(rnd.randbytes(20)): rnd.randint(1_000, 5_000_000) for _ in range(count)}


def tree_figures(count: int) -> dict[str, Any]:
    balances = holders(count)
    t0 = time.perf_counter()
    amounts = allocate(100_000_000, balances)
    t1 = time.perf_counter()
    tree = StandardMerkleTree(sorted((a, c * UNITS_PER_CENT) for a, c in amounts.items()), LEAF)
    t2 = time.perf_counter()
    proofs = [tree.proof(i) for i in range(len(tree))]
    t3 = time.perf_counter()
    return {
        "holders": count,
        "allocate_s": round(t1 - t0, 3),
        "tree_s": round(t2 - t1, 3),
        "proofs_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
        "proof_length": len(proofs[0]),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def gas_figures(sizes: list[int]) -> list[dict[str, Any]]:
    admin, relayer, treasury = anvil_account(0), anvil_account(1), anvil_account(2)
    build = compile_project()
    count = sum(sizes) + 1
    balances = holders(count, seed=11)
    amounts = {a: c * UNITS_PER_CENT for a, c in allocate(1_000_000, balances).items()}
    tree = StandardMerkleTree(sorted(amounts.items()), LEAF)
    total = sum(amounts.values())
    rows: list[dict[str, Any]] = []
    with Anvil() as node:
        w3 = connect(node.url)
        d = deploy(
            w3,
            build,
            DeployPlan(admin, relayer.address, treasury.address, "https://x/{id}"),
            Path(tempfile.mkdtemp()),
            report=lambda _m: None,
        )
        own = w3.eth.contract(
            address=Web3.to_checksum_address(d.address(OWNERSHIP)), abi=build.contracts[OWNERSHIP].abi
        )
        usd = w3.eth.contract(
            address=Web3.to_checksum_address(d.address(STABLECOIN)), abi=build.contracts[STABLECOIN].abi
        )
        compiled = build.contracts["Distributor"]
        factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        receipt = send(
            w3,
            admin,
            dict(
                factory.constructor(own.address, usd.address, admin.address).build_transaction({"from": admin.address})
            ),
        )
        rows.append({"operation": "deploy Distributor", "gas": receipt["gasUsed"]})
        dist = w3.eth.contract(address=Web3.to_checksum_address(str(receipt["contractAddress"])), abi=compiled.abi)
        transact(w3, admin, dist.functions.grantRole(role_id("FUNDER_ROLE"), admin.address))
        transact(w3, admin, own.functions.createProject(1, 10**12, CID))
        r = transact(w3, admin, own.functions.distributeReturns(1, 1, total, tree.root, w3.eth.block_number))
        rows.append({"operation": "distributeReturns (root recorded)", "gas": r["gasUsed"]})
        transact(w3, admin, usd.functions.mint(admin.address, total))
        transact(w3, admin, usd.functions.approve(dist.address, total))
        r = transact(w3, admin, dist.functions.fund(1, 1, w3.eth.get_block("latest")["timestamp"] + 86_400))
        rows.append({"operation": "fund", "gas": r["gasUsed"]})
        index = 0
        account, amount = tree.value(index)
        r = transact(w3, relayer, dist.functions.claim(1, account, amount, tree.proof(index)))
        rows.append({"operation": "claim", "gas": r["gasUsed"], "proof_length": len(tree.proof(index))})
        index += 1
        for n in sizes:
            batch = range(index, index + n)
            call = dist.functions.claimBatch(
                1, [tree.value(i)[0] for i in batch], [tree.value(i)[1] for i in batch], [tree.proof(i) for i in batch]
            )
            r = transact(w3, relayer, call)
            rows.append({"operation": f"claimBatch of {n}", "gas": r["gasUsed"], "gas_per_claim": r["gasUsed"] // n})
            index += n
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    t = tree_figures(args.holders)
    gas = gas_figures([int(s) for s in args.sizes.split(",")])
    result: dict[str, Any] = {"tree": t, "gas": gas}
    print(
        f"tree of {t['holders']:,} holders: allocate {t['allocate_s']} s, tree {t['tree_s']} s, "
        f"all proofs {t['proofs_s']} s (total {t['total_s']} s; proof length {t['proof_length']}); "
        f"peak RSS {t['peak_rss_mib']} MiB"
    )
    for row in gas:
        extra = f" ({row['gas_per_claim']:,} per claim)" if "gas_per_claim" in row else ""
        print(f"{row['operation']:<36} {row['gas']:>10,} gas{extra}")
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
