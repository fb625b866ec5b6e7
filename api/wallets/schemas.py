"""What the wallet routes take and give. Inputs refuse unknown fields; addresses come out EIP-55 checksummed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import SessionMode

# A SIWE message is a dozen short lines (about 250 characters; MetaMask's are under 600). The library's ABNF
# validation of URIs costs time quadratic in their length, so anything longer is refused before it is parsed.
MAX_MESSAGE_LENGTH = 1024
# 65 bytes for an EOA; contract wallets (multisigs) concatenate several signatures, so allow many.
MAX_SIGNATURE_HEX = 8192

Signature = Annotated[
    str,
    Field(
        pattern=r"^0x(?:[0-9a-fA-F]{2})+$",
        max_length=MAX_SIGNATURE_HEX + 2,
        description="The EIP-191 signature of the message, 0x-prefixed hex.",
    ),
]
Message = Annotated[
    str,
    Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, description="The EIP-4361 message exactly as signed."),
]
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NonceOut(BaseModel):
    """A fresh nonce and what the message must name around it (build the message with these)."""

    nonce: str
    expires_at: datetime
    domain: str
    uri: str
    chain_id: int
    version: Literal["1"] = "1"


class SiweSignIn(Input):
    message: Message
    signature: Signature
    mode: SessionMode = Field(
        default="bearer",
        description="bearer: tokens in the answer (API clients); cookie: Secure HttpOnly cookies and a CSRF token.",
    )


class SiweLink(Input):
    message: Message
    signature: Signature


class WalletOut(BaseModel):
    address: str = Field(description="EIP-55 checksummed.")
    kind: Literal["eoa", "contract"] = Field(description="contract: verified by EIP-1271 through the chain.")
    chain_id: int
    linked_at: datetime


class WalletUnlinked(BaseModel):
    address: str
    unlinked: Literal[True] = True
