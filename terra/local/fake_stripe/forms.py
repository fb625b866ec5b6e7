"""Stripe's form encoding read back into nested values: `metadata[investment_id]=…`, `payment_method_types[0]=card`,
`expand[]=…`, `payment_method_data[card][number]=…` (the SDK indexes lists; Stripe.js may post `[]`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def parse_form(body: str) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise FormError(key, f"Invalid parameter name: {key}")
        path = [match.group(1), *_PART.findall(match.group(2))]
        node = tree
        for part in path[:-1]:
            child = node.setdefault(part or str(len(node)), {})
            if not isinstance(child, dict):
                raise FormError(key, f"Invalid hash: {key}")
            node = child
        leaf = path[-1]
        if leaf == "":
            leaf = str(len(node))
        node[leaf] = value
    result: dict[str, Any] = _listify(tree)
    return result


def _listify(node: Any) -> Any:
    """Hashes whose keys are all 0..n-1 were lists."""
    if not isinstance(node, dict):
        return node
    values = {k: _listify(v) for k, v in node.items()}
    if values and all(k.isdigit() for k in values) and sorted(map(int, values)) == list(range(len(values))):
        return [values[str(i)] for i in range(len(values))]
    return values


def integer(params: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise FormError(name, f"Missing required param: {name}.")
        return None
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        raise FormError(name, f"Invalid integer: {raw}")
    return int(raw)


def boolean(params: dict[str, Any], name: str) -> bool:
    raw = params.get(name)
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise FormError(name, f"Invalid boolean: {raw}")


def string_map(params: dict[str, Any], name: str) -> dict[str, str]:
    raw = params.get(name, {})
    if raw == "":
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise FormError(name, f"Invalid hash: {name}")
    return {k: v for k, v in raw.items() if v != ""}  # Stripe drops a key set to ""
