"""The contracts' ABIs as committed in `abi/` (services need no compiler); a test keeps them equal to a fresh build."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from core.chain.paths import ABI_DIR

OWNERSHIP = "TerraLuminaOwnership"
PAYMENT_ROUTER = "PaymentRouter"
STABLECOIN = "TestStablecoin"
DISTRIBUTOR = "Distributor"


@cache
def load_abi(name: str) -> list[dict[str, Any]]:
    abi: list[dict[str, Any]] = json.loads((ABI_DIR / f"{name}.json").read_text())
    return abi


def write_abis(abis: dict[str, list[dict[str, Any]]]) -> None:
    ABI_DIR.mkdir(parents=True, exist_ok=True)
    for name, abi in abis.items():
        (ABI_DIR / f"{name}.json").write_text(json.dumps(abi, indent=2, sort_keys=True) + "\n")
    load_abi.cache_clear()
