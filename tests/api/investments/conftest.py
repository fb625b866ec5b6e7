"""The investments tests: the API on the session's PostgreSQL with the local FAKE Stripe running as a real HTTP
server (the API's Stripe SDK talks to it as to api.stripe.com), and the session's anvil deployment for crypto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from core.stripe.settings import LOCAL_WEBHOOK_SECRET
from terra.local.fake_stripe import FakeStripe
from tests.api.conftest import Api


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """The FAKE Stripe; no webhook receiver here (the relayer's tests and the flow test have one)."""
    with FakeStripe(webhook_url=None, webhook_secret=LOCAL_WEBHOOK_SECRET) as fake:
        yield fake


@pytest.fixture
def invest_api(make_app: Any, clean_db: Engine, fake_stripe: FakeStripe, tmp_path: Any) -> Iterator[Api]:
    """The API against the fake Stripe; crypto instructions from a deployments dir with no deployment."""
    app = make_app(stripe_api_base=fake_stripe.url, deployments_dir=tmp_path)
    with TestClient(app, base_url="https://testserver") as client:
        yield Api(client, clean_db)
