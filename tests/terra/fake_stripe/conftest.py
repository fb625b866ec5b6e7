from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from core.settings import load_settings
from core.stripe.client import stripe_client
from core.stripe.settings import StripeSettings
from terra.local.fake_stripe import FakeStripe

SECRET = "whsec_test_fake_stripe"
FAST_RETRIES = (0.05, 0.05, 0.05)


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe(webhook_url=None, webhook_secret=SECRET, retry_delays=FAST_RETRIES) as running:
        yield running


@pytest.fixture
def client(fake: FakeStripe, monkeypatch: pytest.MonkeyPatch) -> stripe.StripeClient:
    """The project's own client, built from settings as the API and the relayer build it."""
    for name in StripeSettings.model_fields:
        if name.startswith("stripe_"):
            monkeypatch.delenv(name.upper(), raising=False)
    return stripe_client(load_settings(StripeSettings, stripe_api_base=fake.url))
