"""Gas per custodial claim sent by the relayer: for each batch size, a distribution over that many custodial holders
is recorded, put on chain, funded and claimed through the relayer's own passes and transaction manager (a lone
leaf as `claim`, more as `claimBatch`); gasUsed from the manager's stored receipts.

    .venv/bin/python bench/relayer_claims.py [--sizes 1,10,100] [--server postgresql://...]

Reuses the relayer tests' stack (tests/relayer/support.py: a private anvil, a fresh database, the indexer thread).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import DEFAULT_SERVER  # noqa: E402
from core.chain.compiler import compile_project  # noqa: E402
from relayer.distributions import passes  # noqa: E402
from tests.indexer.mirror_support import start_private_chain  # noqa: E402
from tests.relayer.distribution_support import fund_relayer, make_holders, record  # noqa: E402
from tests.relayer.support import Stack, relayer_stack, setup_projects, wait_for  # noqa: E402

GAS_OF_CLAIMS = (
    "SELECT t.gas_used FROM relayer_transactions t JOIN user_distributions l ON l.claim_tx_id = t.id "
    "WHERE l.distribution_id = :d AND t.gas_used IS NOT NULL LIMIT 1"
)


def claim_gas(stack: Stack, size: int, token_id: int) -> int:
    holders = make_holders(stack, token_id, custodial=size)
    d = record(stack, holders, 10_000_000)
    with stack.driven() as ctx:
        pc = ctx.payouts
        assert pc is not None

        def step() -> list[tuple[int, ...]]:
            passes.put_on_chain(ctx.sessions, pc)
            passes.fund_distributions(ctx.sessions, pc)
            passes.claim_custodial(ctx.sessions, pc, size)
            ctx.manager.tick()
            return stack.sql(GAS_OF_CLAIMS, d=d.id)

        rows = wait_for(f"the claim of {size} mined", step, timeout=300)
    stack.stop_relayer()
    return int(rows[0][0])


def main(argv: list[str] | None = None) -> list[tuple[int, int]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    chain = start_private_chain(compile_project())
    rows: list[tuple[int, int]] = []
    try:
        setup_projects(chain)
        with relayer_stack(chain, args.server, start=False) as stack:
            fund_relayer(stack, 10**13)
            for n, size in enumerate(int(s) for s in args.sizes.split(",")):
                gas = claim_gas(stack, size, 100 + n)
                rows.append((size, gas))
                print(f"claims of {size:>4} custodial leaves: {gas:>10,} gas, {gas // size:>8,} per claim", flush=True)
    finally:
        chain.anvil.stop()
    return rows


if __name__ == "__main__":
    main()
