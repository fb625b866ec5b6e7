"""Many one-argument boolean views of a contract in one JSON-RPC batch (`isAllowed(address)` of each recipient,
`paymentRefUsed(bytes32)` of each reference of a batch): one HTTP round trip instead of one per argument, and the
call data built by hand (a selector and one word) instead of by web3's contract machinery, which costs tens of
milliseconds a call on a busy machine. Any error answer fails the whole read: the pass that asked retries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from web3 import Web3


class ViewFailed(RuntimeError):
    pass


@lru_cache(maxsize=16)
def selector(signature: str) -> str:
    return Web3.keccak(text=signature)[:4].hex().removeprefix("0x")


def word(value: str | bytes) -> str:
    """An address (0x hex) or a bytes32 as one ABI word, hex without 0x."""
    raw = value if isinstance(value, bytes) else bytes.fromhex(value.removeprefix("0x"))
    if len(raw) > 32:
        raise ValueError("an ABI word holds at most 32 bytes")
    return raw.rjust(32, b"\0").hex()


def bool_views(w3: Web3, contract: str, signature: str, args: Sequence[str | bytes]) -> list[bool]:
    """`signature(arg)` for each of `args` at the latest block, in order."""
    if not args:
        return []
    head = "0x" + selector(signature)
    requests = [("eth_call", [{"to": contract, "data": head + word(a)}, "latest"]) for a in args]
    answers = w3.provider.make_batch_request(requests)  # type: ignore[attr-defined]  # HTTPProvider has it
    if not isinstance(answers, list) or len(answers) != len(args):
        raise ViewFailed(f"{signature}: the RPC answered the batch with {str(answers)[:200]}")
    out = []
    for answer in answers:  # web3 orders a batch's answers by request id
        result = answer.get("result")
        if not isinstance(result, str) or len(result) < 3 or "error" in answer:  # "0x": no contract there
            raise ViewFailed(f"{signature}: {str(answer.get('error', result))[:200]}")
        out.append(int(result, 16) != 0)
    return out
