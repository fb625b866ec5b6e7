"""Payment references: the 32 bytes a payment carries on chain and its mint repeats, derived one way everywhere.

A reference is keccak256 of a text naming what was paid for. The relayer derives it from the investment's UUID
(`investment_payment_ref`), so the API can show it before any money moves, the payer passes it to
`PaymentRouter.pay`, and the mint repeats it: `InvestmentMinted.paymentRef` = `PaymentReceived.paymentRef`. The
router keys used references by (payer, reference), so the relayer matches both to the investment.
"""

from __future__ import annotations

from uuid import UUID

from web3 import Web3

INVESTMENT_PREFIX = "terra-lumina:investment:"


def payment_ref(text: str) -> bytes:
    """keccak256 of `text` (UTF-8): a reference from an external id (a Stripe event, an order, a demo label)."""
    return bytes(Web3.keccak(text=text))


def investment_payment_ref(investment_id: UUID) -> bytes:
    """The reference of an investment: keccak256 of `terra-lumina:investment:` + its UUID in canonical form (lower
    case, hyphenated), so the same investment gives the same reference however its id was spelled."""
    return payment_ref(INVESTMENT_PREFIX + str(investment_id))


def ref_hex(ref: bytes) -> str:
    """A reference as the chain mirror stores it: 0x + 64 lower-case hex digits."""
    if len(ref) != 32:
        raise ValueError(f"a payment reference is 32 bytes, got {len(ref)}")
    return "0x" + ref.hex()
