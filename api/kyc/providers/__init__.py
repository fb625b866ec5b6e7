"""KYC providers behind one interface (base.KycProvider): the Onfido-style client, pointed at Onfido with a real
token or at the local FAKE provider (terra/local/fake_kyc) in the dev stack and the tests."""

from __future__ import annotations

from api.kyc.providers.base import KycProvider
from api.kyc.providers.onfido import OnfidoProvider
from api.settings import ApiSettings


def provider_from_settings(settings: ApiSettings) -> KycProvider | None:
    """None when KYC is off (no KYC_API_TOKEN and KYC_FAKE unset)."""
    if settings.kyc_mode == "off":
        return None
    api_token, webhook_token = settings.kyc_tokens()
    return OnfidoProvider(settings.kyc_base_url, api_token, webhook_token, timeout=settings.kyc_timeout_seconds)
