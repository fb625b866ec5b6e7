"""Node refusals of a send, as anvil, geth and bor word them, mean what the manager needs to know."""

from __future__ import annotations

import pytest

from relayer.tx.send_errors import SendOutcome, classify_send_error


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("{'code': -32003, 'message': 'transaction already imported'}", SendOutcome.ACCEPTED),  # anvil
        ("already known", SendOutcome.ACCEPTED),  # geth / bor
        ("{'code': -32003, 'message': 'nonce too low'}", SendOutcome.NONCE_USED),
        ("nonce too low: next nonce 5, tx nonce 3", SendOutcome.NONCE_USED),
        ("replacement transaction underpriced", SendOutcome.FEE_TOO_LOW),
        ("{'code': -32003, 'message': 'max fee per gas less than block base fee'}", SendOutcome.FEE_TOO_LOW),
        ("transaction underpriced", SendOutcome.FEE_TOO_LOW),
        ("HTTPConnectionPool(host='127.0.0.1'): Read timed out.", SendOutcome.RETRY),
        ("insufficient funds for gas * price + value", SendOutcome.RETRY),
    ],
)
def test_a_refusal_is_classified(message: str, outcome: SendOutcome) -> None:
    assert classify_send_error(message) is outcome
