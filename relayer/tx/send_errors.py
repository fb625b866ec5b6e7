"""What a node's refusal of eth_sendRawTransaction means for us. Pure: nodes word these differently (geth, erigon,
anvil, bor), so the match is on the phrases they share."""

from __future__ import annotations

from enum import Enum


class SendOutcome(Enum):
    ACCEPTED = "accepted"  # in the pool (or already was: the same bytes sent twice)
    NONCE_USED = "nonce_used"  # the nonce is already taken on chain: look for which attempt was mined
    FEE_TOO_LOW = "fee_too_low"  # under the base fee or underpriced as a replacement: wait for a bump
    RETRY = "retry"  # anything else (timeouts, a full pool, no funds yet): try again next tick


_KNOWN = ("already known", "already imported", "known transaction", "alreadyknown")
_NONCE = ("nonce too low", "noncetoolow", "nonce has already been used", "invalid nonce")
_FEE = ("underpriced", "less than block base fee", "fee cap less than", "max fee per gas less than", "feecap")


def classify_send_error(message: str) -> SendOutcome:
    text = message.lower()
    if any(p in text for p in _KNOWN):
        return SendOutcome.ACCEPTED
    if any(p in text for p in _NONCE):
        return SendOutcome.NONCE_USED
    if any(p in text for p in _FEE):
        return SendOutcome.FEE_TOO_LOW
    return SendOutcome.RETRY
