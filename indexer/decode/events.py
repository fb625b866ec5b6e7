"""Typed events of TerraLuminaOwnership and PaymentRouter, one frozen dataclass each, as the decoder emits them.

Conventions: integers as int, addresses as lowercase 0x-hex, bytes32 as lowercase 0x-hex (66 chars), strings as str.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class LogPosition:
    """Where an event sits on chain; (block_hash, log_index) identifies it, `contract` says who emitted it."""

    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int
    contract: str  # emitting address: Paused/Unpaused/Role* exist on both contracts


# ----- ERC-1155 (TerraLuminaOwnership) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferSingle:
    pos: LogPosition
    operator: str
    from_: str
    to: str
    id: int
    value: int


@dataclass(frozen=True, slots=True)
class TransferBatch:
    pos: LogPosition
    operator: str
    from_: str
    to: str
    ids: tuple[int, ...]
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ApprovalForAll:
    pos: LogPosition
    account: str
    operator: str
    approved: bool


@dataclass(frozen=True, slots=True)
class URI:
    pos: LogPosition
    value: str
    id: int


# ----- Terra Lumina registry (TerraLuminaOwnership) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectCreated:
    pos: LogPosition
    project_id: int
    supply_cap: int
    metadata_cid: str


@dataclass(frozen=True, slots=True)
class InvestmentMinted:
    pos: LogPosition
    project_id: int
    investor: str
    amount: int
    payment_ref: str


@dataclass(frozen=True, slots=True)
class ReturnsDistributed:
    pos: LogPosition
    project_id: int
    distribution_id: int
    total_amount: int
    merkle_root: str
    snapshot_block: int


@dataclass(frozen=True, slots=True)
class ProjectExited:
    pos: LogPosition
    project_id: int
    community_dao: str


@dataclass(frozen=True, slots=True)
class AllowlistUpdated:
    pos: LogPosition
    account: str
    allowed: bool


# ----- OpenZeppelin Pausable / AccessControl (both contracts) ------------------------------------


@dataclass(frozen=True, slots=True)
class Paused:
    pos: LogPosition
    account: str


@dataclass(frozen=True, slots=True)
class Unpaused:
    pos: LogPosition
    account: str


@dataclass(frozen=True, slots=True)
class RoleGranted:
    pos: LogPosition
    role: str
    account: str
    sender: str


@dataclass(frozen=True, slots=True)
class RoleRevoked:
    pos: LogPosition
    role: str
    account: str
    sender: str


@dataclass(frozen=True, slots=True)
class RoleAdminChanged:
    pos: LogPosition
    role: str
    previous_admin_role: str
    new_admin_role: str


# ----- PaymentRouter -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    pos: LogPosition
    payment_ref: str
    payer: str
    project_id: int
    token: str
    amount: int


@dataclass(frozen=True, slots=True)
class TokenAllowed:
    pos: LogPosition
    token: str
    allowed: bool


@dataclass(frozen=True, slots=True)
class TreasuryUpdated:
    pos: LogPosition
    treasury: str


DecodedEvent = (
    TransferSingle
    | TransferBatch
    | ApprovalForAll
    | URI
    | ProjectCreated
    | InvestmentMinted
    | ReturnsDistributed
    | ProjectExited
    | AllowlistUpdated
    | Paused
    | Unpaused
    | RoleGranted
    | RoleRevoked
    | RoleAdminChanged
    | PaymentReceived
    | TokenAllowed
    | TreasuryUpdated
)

# ABI event name -> class. Dataclass fields after `pos` follow the ABI's input order (the decoder relies on it).
EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        TransferSingle,
        TransferBatch,
        ApprovalForAll,
        URI,
        ProjectCreated,
        InvestmentMinted,
        ReturnsDistributed,
        ProjectExited,
        AllowlistUpdated,
        Paused,
        Unpaused,
        RoleGranted,
        RoleRevoked,
        RoleAdminChanged,
        PaymentReceived,
        TokenAllowed,
        TreasuryUpdated,
    )
}


def event_to_dict(event: DecodedEvent) -> dict[str, Any]:
    """A JSON-ready dict: {"event": name, "pos": {...}, field: value...}; tuples become lists, ints stay exact."""
    out: dict[str, Any] = {"event": type(event).__name__}
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name == "pos":
            out["pos"] = {p.name: getattr(value, p.name) for p in fields(value)}
        else:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
