"""The PaymentIntent metadata that ties a Stripe payment to our investment: written by the API when it creates the
PaymentIntent, read by the relayer from every event. Stripe keeps metadata values as strings."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

PAYMENT_REF = re.compile(r"^0x[0-9a-f]{64}$")


class MetadataMissing(ValueError):
    """The object carries no (or broken) Terra Lumina metadata: not one of our payments."""


@dataclass(frozen=True)
class InvestmentMetadata:
    investment_id: uuid.UUID
    payment_ref: str  # 0x + 64 lowercase hex: the bytes32 the mint carries
    project_id: int

    def as_metadata(self) -> dict[str, str]:
        return {
            "investment_id": str(self.investment_id),
            "payment_ref": self.payment_ref,
            "project_id": str(self.project_id),
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str] | None) -> InvestmentMetadata:
        metadata = metadata or {}
        missing = [k for k in ("investment_id", "payment_ref", "project_id") if not metadata.get(k)]
        if missing:
            raise MetadataMissing(f"metadata lacks {', '.join(missing)}")
        try:
            investment_id = uuid.UUID(metadata["investment_id"])
            project_id = int(metadata["project_id"])
        except ValueError:
            raise MetadataMissing("metadata investment_id or project_id is malformed") from None
        ref = metadata["payment_ref"].lower()
        if not PAYMENT_REF.match(ref):
            raise MetadataMissing("metadata payment_ref is not 0x + 64 hex digits")
        return cls(investment_id, ref, project_id)
