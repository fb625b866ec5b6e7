"""Gas of the contracts' main operations on a fresh anvil: `.venv/bin/python bench/gas.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hexbytes import HexBytes
from rich.console import Console
from rich.table import Table
from web3 import Web3

from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
from core.chain.accounts import anvil_account
from core.chain.compiler import compile_project
from core.chain.connection import connect
from core.chain.transactions import transact
from terra.local.anvil import Anvil
from terra.ops.deploy import DeployPlan, deploy


def main() -> None:
    admin, minter, treasury = anvil_account(0), anvil_account(1), anvil_account(2)
    holders = [anvil_account(i) for i in range(3, 10)]
    build = compile_project()
    rows: list[tuple[str, int, str]] = []
    with Anvil() as node:
        w3 = connect(node.url)
        plan = DeployPlan(admin, minter.address, treasury.address, "https://x/{id}")
        d = deploy(w3, build, plan, Path(tempfile.mkdtemp()), report=lambda _m: None)
        c = {
            n: w3.eth.contract(address=Web3.to_checksum_address(d.address(n)), abi=build.contracts[n].abi)
            for n in d.contracts
        }
        own, router, usd = c[OWNERSHIP], c[PAYMENT_ROUTER], c[STABLECOIN]
        for name in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN):
            rec = w3.eth.get_transaction_receipt(HexBytes(d.contracts[name].tx_hash))
            rows.append((f"deploy {name}", rec["gasUsed"], ""))

        r = transact(
            w3,
            admin,
            own.functions.createProject(1, 10**12, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"),
        )
        rows.append(("createProject", r["gasUsed"], ""))
        transact(w3, admin, own.functions.setAllowedBatch([h.address for h in holders], True))

        r = transact(w3, minter, own.functions.mintInvestment(1, holders[0].address, 1_000, Web3.keccak(text="single")))
        rows.append(("mintInvestment (first mint to a new holder)", r["gasUsed"], ""))
        r = transact(
            w3, minter, own.functions.mintInvestment(1, holders[0].address, 1_000, Web3.keccak(text="single-2"))
        )
        rows.append(("mintInvestment (holder already has tokens)", r["gasUsed"], ""))

        for n in (1, 10, 100):
            refs = [Web3.keccak(text=f"batch-{n}-{i}") for i in range(n)]
            investors = [holders[i % len(holders)].address for i in range(n)]
            r = transact(w3, minter, own.functions.mintInvestmentBatch([1] * n, investors, [500] * n, refs))
            rows.append((f"mintInvestmentBatch of {n}", r["gasUsed"], f"{r['gasUsed'] / n:,.0f} per mint"))

        a, b = holders[0], holders[1]
        r = transact(w3, a, own.functions.safeTransferFrom(a.address, b.address, 1, 100, b""))
        rows.append(("safeTransferFrom (ERC-1155 transfer)", r["gasUsed"], ""))

        # ERC-7943: a dispute freezes, a refund claws back to the (allowlisted) treasury.
        r = transact(w3, admin, own.functions.setFrozenTokens(a.address, 1, 1_000))
        rows.append(("setFrozenTokens (new freeze)", r["gasUsed"], ""))
        r = transact(w3, admin, own.functions.setFrozenTokens(a.address, 1, 900))
        rows.append(("setFrozenTokens (change a freeze)", r["gasUsed"], ""))
        r = transact(w3, a, own.functions.safeTransferFrom(a.address, b.address, 1, 100, b""))
        rows.append(("safeTransferFrom by a holder with a freeze", r["gasUsed"], "unfrozen units only"))
        transact(w3, admin, own.functions.setAllowed(treasury.address, True))
        r = transact(w3, admin, own.functions.forcedTransfer(a.address, treasury.address, 1, 500))
        rows.append(("forcedTransfer of frozen units", r["gasUsed"], "lowers the freeze: Frozen + transfer"))
        r = transact(w3, admin, own.functions.forcedTransfer(b.address, treasury.address, 1, 100))
        rows.append(("forcedTransfer, no freeze", r["gasUsed"], ""))

        transact(w3, admin, usd.functions.mint(a.address, 10**9))
        transact(w3, a, usd.functions.approve(router.address, 10**9))
        r = transact(w3, a, router.functions.pay(1, usd.address, 25 * 10**6, Web3.keccak(text="pay-1")))
        rows.append(("PaymentRouter.pay $25 (approved beforehand)", r["gasUsed"], "checks: cents, minimum, mintable"))
        r = transact(w3, a, router.functions.pay(1, usd.address, 10 * 10**6, Web3.keccak(text="pay-2")))
        rows.append(("PaymentRouter.pay $10, second payment", r["gasUsed"], ""))

    table = Table(title="Terra Lumina gas (anvil 1.7.1, solc 0.8.28, optimizer 200 runs, evm cancun)")
    table.add_column("operation")
    table.add_column("gas used", justify="right")
    table.add_column("note")
    for name, gas, note in rows:
        table.add_row(name, f"{gas:,}", note)
    Console().print(table)


if __name__ == "__main__":
    main()
