"""Scrubbing for terminals and logs: whatever a library or a server wraps around a configured URL, its key goes."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from core.redact import redact, register_secret_url, shown_url, shown_value

KEYS = st.text(alphabet=string.ascii_letters + string.digits, min_size=20, max_size=40)
WRAPPERS = st.text(alphabet=string.printable, max_size=40)


@given(key=KEYS, before=WRAPPERS, after=WRAPPERS)
def test_a_url_anywhere_in_a_message_keeps_only_scheme_host_and_port(key: str, before: str, after: str) -> None:
    url = f"https://polygon-mainnet.example.io:8545/v3/{key}"
    text = redact(f"{before} for url: {url} {after}")
    assert key not in text.replace(before, "").replace(after, "")
    assert "https://polygon-mainnet.example.io:8545" in text


@given(key=KEYS)
def test_a_registered_key_goes_even_without_its_url_around_it(key: str) -> None:
    register_secret_url(f"https://rpc.example/v2/{key}?token={key[::-1]}")
    assert redact(f'{{"error": "bad key {key}", "echo": "/v2/{key[::-1]}"}}').count("***") == 2


def test_words_in_a_path_are_not_taken_for_keys() -> None:
    register_secret_url("https://rpc.example/polygon/mainnet")
    assert redact("polygon mainnet", urls=False) == "polygon mainnet"


def test_a_url_ending_a_clause_keeps_its_port_and_the_punctuation() -> None:
    assert redact("at http://127.0.0.1:8545: ConnectionError.") == "at http://127.0.0.1:8545: ConnectionError."
    assert redact("see https://rpc.example:443/v3/KEY123456789.") == "see https://rpc.example:443."


def test_shown_forms_drop_credentials_and_path() -> None:
    assert shown_url("wss://user:pw@node.example:8546/ws/KEY") == "wss://node.example:8546"
    assert shown_value("garbage") == "'garbage'"
    assert shown_value("https//infura.io/v3/KEY1234567") == "'https/***'"


def test_a_one_letter_secret_does_not_eat_every_log_line() -> None:
    """A test setting or a careless config with a secret of a letter or two must not turn each 't' of every later
    log line into *** (it did: a KYC token "t" in one test broke the assertions on logs of others)."""
    from core.redact import register_secret

    register_secret("t")
    register_secret("wx")
    assert redact("rate_limit_storage_unavailable at wx") == "rate_limit_storage_unavailable at wx"
