"""Gas per mint of the relayer's own mint transactions at batch sizes 1, 10 and 100, from their receipts.

    .venv/bin/python bench/relayer_gas.py [--sizes 1,10,100]

On a fresh stack (anvil on automine, no indexer, the relayer's passes driven by hand instead of its scheduler, so
that each batch holds exactly n intents): n card investments by n new users are paid (their events stored as the
webhook stores them), the relayer allowlists the n custodial addresses (one setAllowedBatch) and mints them in one
mintInvestmentBatch (one mintInvestment when n = 1). Then the same n users invest again: they now hold tokens, so
their balance slots are warm. gasUsed / n of each, as the transaction manager recorded it from the receipt.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.relayer_stack import RESULTS, BenchStack, Payment, bench_stack  # noqa: E402
from relayer.outbox import worker  # noqa: E402
from relayer.payments.repository import store_stripe_event  # noqa: E402
from relayer.process import RelayerContext, relayer_context  # noqa: E402


def store(stack: BenchStack, payments: list[Payment]) -> None:
    with stack.sessions.begin() as session:
        for p in payments:
            event = json.loads(p.body)
            store_stripe_event(session, event["id"], event["type"], False, event)


def drive(ctx: RelayerContext, batch_size: int, stack: BenchStack, purposes: set[str], timeout: float = 120) -> None:
    """The relayer's passes, in their order, until every transaction of `purposes` has its receipt recorded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.process_stripe_events(ctx.sessions, ctx.custody, None, limit=1_000)
        worker.follow_compliance_transactions(ctx.sessions, ctx.custody)
        worker.drain_compliance_intents(ctx.sessions, ctx.chain)
        worker.drain_mint_intents(ctx.sessions, ctx.chain, batch_size)
        ctx.manager.tick()
        waiting = stack.sql(
            "SELECT count(*) FROM relayer_transactions WHERE purpose = ANY(:p) AND gas_used IS NULL", p=list(purposes)
        )[0][0]
        pending = stack.sql("SELECT count(*) FROM mint_intents WHERE status = 'pending'")[0][0]
        if not waiting and not pending:
            return
    raise RuntimeError("the relayer's transactions did not all get receipts")


def gas_of(stack: BenchStack, purpose: str, since: int) -> list[tuple[int, int]]:
    """(gas used, entries) of each transaction of `purpose` after block `since`: mints count their intents,
    allowlistings their accounts."""
    table = "mint_intents" if purpose == "mint" else "compliance_intents"
    rows = stack.sql(
        f"SELECT t.gas_used, count(i.id) FROM relayer_transactions t JOIN {table} i ON i.tx_id = t.id"
        " WHERE t.purpose = :p AND t.block_number > :b GROUP BY t.id, t.gas_used",
        p=purpose,
        b=since,
    )
    return [(int(g), int(n)) for g, n in rows]


def head(stack: BenchStack) -> int:
    return int(stack.sql("SELECT coalesce(max(block_number), 0) FROM relayer_transactions")[0][0])


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--output", type=Path, default=RESULTS / "relayer_gas.json")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with bench_stack(block_time=None, relayer=False, indexer=False) as stack:
        ctx = relayer_context(stack.settings, engine=stack.engine)
        ctx.manager.recover()
        for n in [int(s) for s in args.sizes.split(",")]:
            since = head(stack)
            first = stack.card_payments(n)
            store(stack, first)
            drive(ctx, n, stack, {"mint", "allow"})
            (mint_gas, mints), *more = gas_of(stack, "mint", since)
            assert not more and mints == n, f"expected one mint transaction of {n}, got {[(mint_gas, mints), *more]}"
            allows = gas_of(stack, "allow", since)
            allow_gas, accounts = sum(g for g, _ in allows), sum(a for _, a in allows)
            since = head(stack)
            again = stack.card_payments(n, users=[stack.user_of(p.investment_id) for p in first])
            store(stack, again)
            drive(ctx, n, stack, {"mint"})
            (warm_gas, warm), *more = gas_of(stack, "mint", since)
            assert not more and warm == n
            rows.append(
                {
                    "batch_size": n,
                    "call": "mintInvestment" if n == 1 else "mintInvestmentBatch",
                    "gas_new_holders": mint_gas,
                    "gas_per_mint_new_holders": round(mint_gas / n),
                    "gas_returning_holders": warm_gas,
                    "gas_per_mint_returning_holders": round(warm_gas / n),
                    "allowlist_gas_per_new_account": round(allow_gas / accounts) if accounts else None,
                }
            )
    for row in rows:
        print(json.dumps(row), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
