"""The transaction manager's knobs, in wei and seconds, from the relayer's settings (RELAYER_TX_*)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from relayer.settings import RelayerSettings
from relayer.tx.fees import GWEI


def gwei_to_wei(gwei: Decimal) -> int:
    """Exact; a fraction of a wei is refused rather than rounded."""
    wei = gwei * GWEI
    if wei != wei.to_integral_value():
        raise ValueError(f"{gwei} gwei is not a whole number of wei")
    return int(wei)


@dataclass(frozen=True)
class TxSettings:
    max_fee_per_gas: int = 500 * GWEI  # the cap on maxFeePerGas, never exceeded
    priority_fee_per_gas: int = 30 * GWEI
    replace_after: float = 60.0  # seconds without a receipt before a fee bump
    confirmations: int = 1  # blocks (its own included) before a receipt counts as mined
    finality_depth: int = 256  # fallback when the RPC has no `finalized` tag
    stuck_after: float = 900.0  # seconds unfinished before reconcile lists it
    gas_margin_percent: int = 20  # added to a gas estimate

    @classmethod
    def from_relayer(cls, settings: RelayerSettings) -> TxSettings:
        return cls(
            max_fee_per_gas=gwei_to_wei(settings.relayer_tx_max_fee_gwei),
            priority_fee_per_gas=gwei_to_wei(settings.relayer_tx_priority_fee_gwei),
            replace_after=settings.relayer_tx_replace_after,
            confirmations=settings.relayer_tx_confirmations,
            finality_depth=settings.relayer_tx_finality_depth,
            stuck_after=settings.relayer_tx_stuck_after,
            gas_margin_percent=settings.relayer_tx_gas_margin_percent,
        )
