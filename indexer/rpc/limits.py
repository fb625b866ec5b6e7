"""Recognize a provider's eth_getLogs range-limit error and read what it suggests. Pure.

Providers disagree on codes (-32005, -32602, -32600, -32614, -32000) and wording; a rate limit can share the code
(-32005 on Infura), so the message decides. Anything not recognized is not a range limit (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RangeAdvice:
    """What a refusal told us. `suggested_to`: an end block the provider says will work from our `from_block`
    (a one-off hint that depends on log density). `max_span`: the provider's fixed cap, in blocks per request
    (a ceiling for good). `suggested_span`: `suggested_to - from_block + 1`, for callers that count in spans."""

    suggested_to: int | None
    max_span: int | None
    suggested_span: int | None = None


QUICKNODE_RANGE_CODE = -32614  # QuickNode's code is specific to the range limit, whatever the text says

# Text of a range/size refusal (lowercased). "block range extends beyond current head block" (execution-apis)
# is a different error: the range is in the future, not too wide.
_RANGE_ERROR = re.compile(
    r"block range|range too (?:large|wide)|range is too|limited to (?:a )?[\d,]+|range limit|exceeds? limit of"
    r"|max(?:imum)? block range|max range|query returned more than|log response size exceeded|response size"
    r"|too many (?:results|logs)|max results|results? limit|more than [\d,]+ results"
    r"|query timeout exceeded|query timed out"  # Infura -32005 and others: a range too heavy to scan in time
)
_NOT_RANGE_ERROR = re.compile(r"beyond (?:the )?current head|rate limit|rate exceeded|request count|capacity")

_NUM = r"(\d[\d,_]*(?:\.\d+)?\s*k?)\b"
_MAX_SPAN = [
    re.compile(r"limited to (?:a )?" + _NUM + r"\s*(?:blocks?\s*)?range"),  # QuickNode
    re.compile(r"up to (?:a )?" + _NUM + r"\s*block range"),  # Alchemy
    re.compile(r"max(?:imum)?(?: allowed)?(?: block)? range(?: is| of)?\s*[:=]?\s*" + _NUM),  # max range: 3500
    re.compile(r"range too (?:large|wide)[^0-9]*?max(?:imum)?\s*[:=]?\s*" + _NUM),  # too large, max: 3500
    re.compile(r"exceeds? (?:the )?(?:range )?limit of " + _NUM),  # Infura: range 1000000 exceeds limit of 10000
    re.compile(r"range limit(?: of| is)?\s*[:=]?\s*" + _NUM),  # Tenderly: bigger than range limit 2000
    re.compile(r"max(?:imum)? (?:number of )?blocks?(?: allowed)?(?: is)?\s*[:=]?\s*" + _NUM),
]
_SUGGESTION = re.compile(r"\[\s*(0x[0-9a-f]+|\d+)\s*,\s*(0x[0-9a-f]+|\d+)\s*\]")


def _number(text: str) -> int:
    text = text.replace(",", "").replace("_", "").strip()
    if text.endswith("k"):
        return int(float(text[:-1].strip()) * 1000)
    return int(float(text))


def _int(text: str) -> int:
    return int(text, 16) if text.startswith("0x") else int(text)


def parse_range_limit(error_code: int | None, message: str, from_block: int, to_block: int) -> RangeAdvice | None:
    """The advice carried by an eth_getLogs refusal of [from_block, to_block], or None if it is not a range limit.

    A suggestion is kept only when it makes progress: it ends at or after `from_block` and before `to_block`.
    """
    text = message.lower()
    recognized = error_code == QUICKNODE_RANGE_CODE or bool(_RANGE_ERROR.search(text))
    if not recognized or _NOT_RANGE_ERROR.search(text):
        return None

    max_span = None
    for pattern in _MAX_SPAN:
        if m := pattern.search(text):
            max_span = _number(m.group(1)) or None
            break

    suggested_to = suggested_span = None
    if m := _SUGGESTION.search(text):
        start, end = _int(m.group(1)), _int(m.group(2))
        if start == from_block and from_block <= end < to_block:
            suggested_to = end
        elif start < end and start != from_block:
            # A window cut for another start (the provider counted from elsewhere): keep its width.
            width = end - start + 1
            if from_block + width - 1 < to_block:
                suggested_to = from_block + width - 1
        if suggested_to is not None:
            suggested_span = suggested_to - from_block + 1
    return RangeAdvice(suggested_to, max_span, suggested_span)
