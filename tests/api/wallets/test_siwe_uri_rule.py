"""The URI rule (pure): a message may name the expected URI or a path below it, on the same scheme and authority;
nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.wallets.message import uri_matches

segments = st.lists(st.text("abcxyz019-._~", min_size=1, max_size=8), max_size=4)


@given(base=segments, below=segments)
def test_any_path_at_or_below_the_expected_one_matches(base: list[str], below: list[str]) -> None:
    expected = "https://app.example:8443/" + "/".join(base)
    assert uri_matches(expected, expected.rstrip("/") + "/" + "/".join(below))


@given(base=segments, host=st.from_regex(r"[a-z]{1,10}\.[a-z]{2,5}", fullmatch=True))
def test_another_authority_never_matches(base: list[str], host: str) -> None:
    path = "/" + "/".join(base)
    if host != "app.example":
        assert not uri_matches("https://app.example" + path, f"https://{host}{path}")


@pytest.mark.parametrize(
    "actual",
    [
        "http://app.example/app",  # another scheme
        "https://app.example:444/app",  # another port
        "https://user@app.example/app",  # userinfo makes another authority
        "https://app.example/apps",  # a sibling path, not below
        "https://app.example/",  # above
        "https://app.example.evil/app",
    ],
)
def test_near_misses_do_not_match(actual: str) -> None:
    assert not uri_matches("https://app.example/app", actual)


def test_letter_case_of_scheme_and_host_does_not_matter() -> None:
    assert uri_matches("https://App.Example/app", "HTTPS://app.example/app/login")
