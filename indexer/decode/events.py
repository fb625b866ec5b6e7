"""Typed events of TerraLuminaOwnership, PaymentRouter and Distributor, one frozen dataclass each, as the decoder
emits them.

Conventions: integers as int, addresses as lowercase 0x-hex, bytes32 as lowercase 0x-hex (66 chars), strings as str.
Where an event sits (block, log index, emitter) is the log's, kept once by the store's record (indexer/records.py).

A string the contract took is any bytes: where they are not text PostgreSQL can hold (invalid UTF-8, a NUL), the
field holds the text with U+FFFD in place of each bad sequence or NUL, and `<field>_raw` the exact bytes as 0x-hex
(None when the text is the string itself).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# ----- ERC-1155 (TerraLuminaOwnership) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferSingle:
    operator: str
    from_: str
    to: str
    id: int
    value: int


@dataclass(frozen=True, slots=True)
class TransferBatch:
    operator: str
    from_: str
    to: str
    ids: tuple[int, ...]
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ApprovalForAll:
    account: str
    operator: str
    approved: bool


@dataclass(frozen=True, slots=True)
class URI:
    value: str
    id: int
    value_raw: str | None = None


# ----- Terra Lumina registry (TerraLuminaOwnership) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectCreated:
    project_id: int
    supply_cap: int
    metadata_cid: str
    metadata_cid_raw: str | None = None


@dataclass(frozen=True, slots=True)
class InvestmentMinted:
    project_id: int
    investor: str
    amount: int
    payment_ref: str


@dataclass(frozen=True, slots=True)
class ReturnsDistributed:
    project_id: int
    distribution_id: int
    total_amount: int
    merkle_root: str
    snapshot_block: int


@dataclass(frozen=True, slots=True)
class ProjectExited:
    project_id: int
    community_dao: str


@dataclass(frozen=True, slots=True)
class AllowlistUpdated:
    account: str
    allowed: bool


# ----- ERC-7943 compliance (TerraLuminaOwnership) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frozen:
    """The frozen amount of `account`'s units of `project_id` is now `amount` (absolute; may exceed the balance)."""

    account: str
    project_id: int
    amount: int


@dataclass(frozen=True, slots=True)
class ForcedTransfer:
    """A clawback: the units themselves moved in the TransferSingle of the same transaction."""

    from_: str
    to: str
    project_id: int
    amount: int


# ----- OpenZeppelin Pausable / AccessControl (both contracts) ------------------------------------


@dataclass(frozen=True, slots=True)
class Paused:
    account: str


@dataclass(frozen=True, slots=True)
class Unpaused:
    account: str


@dataclass(frozen=True, slots=True)
class RoleGranted:
    role: str
    account: str
    sender: str


@dataclass(frozen=True, slots=True)
class RoleRevoked:
    role: str
    account: str
    sender: str


@dataclass(frozen=True, slots=True)
class RoleAdminChanged:
    role: str
    previous_admin_role: str
    new_admin_role: str


# ----- PaymentRouter -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    payment_ref: str
    payer: str
    project_id: int
    token: str
    amount: int


@dataclass(frozen=True, slots=True)
class TokenAllowed:
    token: str
    allowed: bool


@dataclass(frozen=True, slots=True)
class TreasuryUpdated:
    treasury: str


# ----- Distributor ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistributionFunded:
    distribution_id: int
    project_id: int
    total: int
    merkle_root: str
    claim_deadline: int


@dataclass(frozen=True, slots=True)
class Claimed:
    distribution_id: int
    account: str
    amount: int


@dataclass(frozen=True, slots=True)
class Swept:
    distribution_id: int
    to: str
    amount: int


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
    | Frozen
    | ForcedTransfer
    | Paused
    | Unpaused
    | RoleGranted
    | RoleRevoked
    | RoleAdminChanged
    | PaymentReceived
    | TokenAllowed
    | TreasuryUpdated
    | DistributionFunded
    | Claimed
    | Swept
)

# ABI event name -> class. Dataclass fields follow the ABI's input order, then one `<name>_raw` per string input (the
# decoder relies on it).
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
        Frozen,
        ForcedTransfer,
        Paused,
        Unpaused,
        RoleGranted,
        RoleRevoked,
        RoleAdminChanged,
        PaymentReceived,
        TokenAllowed,
        TreasuryUpdated,
        DistributionFunded,
        Claimed,
        Swept,
    )
}


def event_to_dict(event: DecodedEvent) -> dict[str, Any]:
    """A JSON-ready dict: {"event": name, field: value...}; tuples become lists, ints stay exact; a `<field>_raw`
    appears only when its string was not clean text."""
    out: dict[str, Any] = {"event": type(event).__name__}
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name.endswith("_raw") and value is None:
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
