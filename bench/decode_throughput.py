"""Decoder microbenchmark: `.venv/bin/python -m bench.decode_throughput [N]` -> decodes/s on golden logs.

Two mixes: every golden log equally (includes eth_abi paths for strings and arrays), and the backfill-like mix
(a mint is one TransferSingle + one InvestmentMinted; everything else rare).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from indexer.decode import decode_logs
from indexer.rpc.normalize import raw_logs
from indexer.types import RawLog

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "indexer" / "golden"


def _golden(event: str) -> list[RawLog]:
    return raw_logs(json.loads((GOLDEN / f"{event}.raw.json").read_text()))


def _rate(logs: list[RawLog], n: int) -> float:
    batch = (logs * (n // len(logs) + 1))[:n]
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        decode_logs(batch)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    every = [log for p in sorted(GOLDEN.glob("*.raw.json")) for log in _golden(p.name.removesuffix(".raw.json"))]
    backfill = _golden("TransferSingle")[:1] + _golden("InvestmentMinted")[:1]
    raw_json = json.loads((GOLDEN / "TransferSingle.raw.json").read_text()) * (n // 6)
    t0 = time.perf_counter()
    raw_logs(raw_json)
    print(f"normalize (JSON dict -> RawLog): {len(raw_json) / (time.perf_counter() - t0):>10,.0f} logs/s")
    print(f"decode, every golden log:       {_rate(every, n):>10,.0f} events/s")
    print(f"decode, mint mix:               {_rate(backfill, n):>10,.0f} events/s")
    print(f"decode, TransferBatch (2 ids):  {_rate(_golden('TransferBatch'), n // 4):>10,.0f} events/s")
    print(f"decode, ProjectCreated (string): {_rate(_golden('ProjectCreated'), n // 4):>9,.0f} events/s")


if __name__ == "__main__":
    main()
