"""The fake reads Stripe's form encoding back into nested values, and knows Stripe's test cards."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terra.local.fake_stripe.cards import CARDS, TEST_PAYMENT_METHODS, card_outcome, luhn_valid
from terra.local.fake_stripe.forms import FormError, parse_form


def test_nested_hashes_and_indexed_lists_as_the_sdk_sends_them() -> None:
    body = urlencode(
        [
            ("amount", "1000"),
            ("metadata[investment_id]", "abc"),
            ("metadata[project_id]", "3"),
            ("payment_method_types[0]", "card"),
            ("payment_method_types[1]", "link"),
            ("payment_method_data[card][number]", "4242424242424242"),
            ("expand[]", "latest_charge"),
            ("expand[]", "payment_method"),
        ]
    )
    assert parse_form(body) == {
        "amount": "1000",
        "metadata": {"investment_id": "abc", "project_id": "3"},
        "payment_method_types": ["card", "link"],
        "payment_method_data": {"card": {"number": "4242424242424242"}},
        "expand": ["latest_charge", "payment_method"],
    }


def test_a_value_that_is_both_a_string_and_a_hash_is_refused() -> None:
    with pytest.raises(FormError):
        parse_form("metadata=x&metadata[a]=b")


@given(st.dictionaries(st.text("abcdefghij_", min_size=1), st.text(), max_size=8))
def test_metadata_survives_the_round_trip(metadata: dict[str, str]) -> None:
    body = urlencode([(f"metadata[{k}]", v) for k, v in metadata.items()])
    assert parse_form(body).get("metadata", {}) == metadata


def test_every_test_payment_method_stands_for_a_known_card() -> None:
    assert set(TEST_PAYMENT_METHODS.values()) <= set(CARDS)
    assert all(luhn_valid(number) for number in CARDS)


@pytest.mark.parametrize(
    ("number", "decline_code"),
    [
        ("4242424242424242", None),
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4111111111111111", "test_mode_live_card"),
    ],
)
def test_card_outcomes(number: str, decline_code: str | None) -> None:
    outcome = card_outcome(number)
    assert (outcome.decline.decline_code if outcome.decline else None) == decline_code


def test_a_number_failing_the_luhn_check_is_incorrect() -> None:
    outcome = card_outcome("4242424242424243")
    assert outcome.decline is not None and outcome.decline.code == "incorrect_number"
