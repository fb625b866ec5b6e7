"""Without a Stripe key everything points at the local fake; with one, the fake's address and its public webhook
secret are refused, so real credentials never go to the fake and real webhooks are never checked with a test value."""

from __future__ import annotations

import pytest

from core.settings import InvalidSettings, load_settings
from core.stripe.client import stripe_client
from core.stripe.settings import (
    LOCAL_FAKE_API_BASE,
    LOCAL_WEBHOOK_SECRET,
    REAL_API_BASE,
    StripeNotConfigured,
    StripeSettings,
)

REAL_LOOKING_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" * 2


@pytest.fixture(autouse=True)
def no_stripe_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in StripeSettings.model_fields:
        if name.startswith("stripe_"):
            monkeypatch.delenv(name.upper(), raising=False)


def api_base(settings: StripeSettings) -> str:
    client = stripe_client(settings)
    base = client._requestor._options.base_addresses.get("api")  # the SDK keeps no public accessor for it
    assert base is not None
    return base


def test_without_a_key_the_client_talks_to_the_local_fake_with_the_local_secret() -> None:
    settings = load_settings(StripeSettings)
    assert settings.uses_fake_stripe
    assert api_base(settings) == LOCAL_FAKE_API_BASE
    assert settings.webhook_secret() == LOCAL_WEBHOOK_SECRET
    assert settings.stripe_api_key.startswith("sk_test_")
    assert settings.stripe_publishable.startswith("pk_test_")


def test_stripe_api_base_moves_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:4567/")
    assert api_base(load_settings(StripeSettings)) == "http://127.0.0.1:4567"


def test_with_a_key_the_client_talks_to_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", REAL_LOOKING_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_real_one")
    settings = load_settings(StripeSettings)
    assert not settings.uses_fake_stripe
    assert api_base(settings) == REAL_API_BASE
    assert settings.webhook_secret() == "whsec_real_one"


@pytest.mark.parametrize("key", [REAL_LOOKING_KEY, "sk_test_someones_real_test_key"])
def test_the_fakes_address_is_refused_beside_a_key(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", key)
    monkeypatch.setenv("STRIPE_API_BASE", LOCAL_FAKE_API_BASE)
    with pytest.raises(InvalidSettings) as info:
        load_settings(StripeSettings)
    assert str(info.value).startswith("STRIPE_API_BASE: refused while STRIPE_SECRET_KEY is set")
    assert key not in str(info.value)


def test_the_local_webhook_secret_is_refused_beside_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", REAL_LOOKING_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", LOCAL_WEBHOOK_SECRET)
    with pytest.raises(InvalidSettings, match="^STRIPE_WEBHOOK_SECRET: "):
        load_settings(StripeSettings)


def test_a_key_without_a_webhook_secret_has_no_local_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", REAL_LOOKING_KEY)
    settings = load_settings(StripeSettings)
    with pytest.raises(StripeNotConfigured, match="STRIPE_WEBHOOK_SECRET"):
        settings.webhook_secret()
    with pytest.raises(StripeNotConfigured, match="STRIPE_PUBLISHABLE_KEY"):
        settings.stripe_publishable  # noqa: B018 - the property raises


def test_an_empty_key_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "")
    assert load_settings(StripeSettings).uses_fake_stripe


def test_keys_never_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", REAL_LOOKING_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_real_one_123456")
    shown = repr(load_settings(StripeSettings))
    assert REAL_LOOKING_KEY not in shown and "whsec_real_one_123456" not in shown


@pytest.mark.parametrize("variable", ["STRIPE_API_BASE", "STRIPE_FAKE_WEBHOOK_URL"])
def test_a_url_that_is_not_one_is_named(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "127.0.0.1:12111")
    with pytest.raises(InvalidSettings) as info:
        load_settings(StripeSettings)
    assert str(info.value) == f"{variable}: '127.0.0.1:12111' is not an http(s) URL"
