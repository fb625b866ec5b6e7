"""The password policy (pure) and the breach check: the bundled list, and HaveIBeenPwned by k-anonymity through
a FAKE range server (the real API is never called in tests)."""

from __future__ import annotations

import hashlib

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from api.accounts.breach import BreachChecker, sha1_prefix_suffix, suffix_count
from api.accounts.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    character_kinds,
    common_passwords,
    policy_failures,
)


@given(st.text(max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_12_is_refused(password: str) -> None:
    assert "too_short" in policy_failures(password)


@given(st.text(min_size=MAX_LENGTH + 1, max_size=MAX_LENGTH + 50))
def test_anything_longer_than_128_is_refused(password: str) -> None:
    assert "too_long" in policy_failures(password)


@settings(max_examples=300)
@given(st.text(min_size=1, max_size=40), st.emails())
def test_an_accepted_password_meets_every_rule(password: str, email: str) -> None:
    if policy_failures(password, email):
        return
    import unicodedata

    normalized = unicodedata.normalize("NFKC", password)
    assert MIN_LENGTH <= len(password) <= MAX_LENGTH
    assert len(password) >= 20 or character_kinds(normalized) >= 3
    assert len(set(normalized)) >= 5
    assert normalized.casefold() not in common_passwords()
    local = email.partition("@")[0].casefold()
    assert len(local) < 4 or local not in normalized.casefold()


@given(st.sampled_from(sorted(common_passwords())), st.booleans())
def test_every_bundled_common_password_is_refused_in_any_case(password: str, upper: bool) -> None:
    assert "common_password" in policy_failures(password.upper() if upper else password)


def test_a_strong_passphrase_passes() -> None:
    assert policy_failures("Correct-Horse-Battery-42", "ada@example.org") == []
    assert policy_failures("four random words make a phrase") == []  # long: kinds not required


def fake_hibp(seen: dict[str, int], requests: list[httpx.Request]) -> httpx.Client:
    """A FAKE HaveIBeenPwned range API answering from `seen` (password -> count), padded like the real one."""

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        prefix = request.url.path.rsplit("/", 1)[1]
        lines = ["0018A45C4D1DEF81644B54AB7F969B88D65:0"]  # padding
        for password, count in seen.items():
            p, s = sha1_prefix_suffix(password)
            if p == prefix:
                lines.append(f"{s}:{count}")
        return httpx.Response(200, text="\r\n".join(lines))

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_hibp_gets_only_the_first_five_hex_digits_and_the_match_happens_here() -> None:
    requests: list[httpx.Request] = []
    checker = BreachChecker(hibp_url="https://hibp.fake/range/", client=fake_hibp({"Tr0ub4dor&3xyz": 42}, requests))
    assert checker.is_breached("Tr0ub4dor&3xyz")
    assert not checker.is_breached("An-Unseen-Passphrase-77")
    full = hashlib.sha1(b"Tr0ub4dor&3xyz").hexdigest().upper()
    sent = str(requests[0].url)
    assert sent == f"https://hibp.fake/range/{full[:5]}" and full[5:] not in sent
    assert requests[0].headers["add-padding"] == "true"


def test_hibp_down_falls_back_to_the_bundled_list() -> None:
    def down(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("unreachable")

    checker = BreachChecker(
        hibp_url="https://hibp.fake/range/", client=httpx.Client(transport=httpx.MockTransport(down))
    )
    assert not checker.is_breached("An-Unseen-Passphrase-77")
    assert checker.is_breached("Password123!")


def test_hibp_off_never_calls_out() -> None:
    requests: list[httpx.Request] = []
    checker = BreachChecker(hibp_url=None, client=fake_hibp({"An-Unseen-Passphrase-77": 1}, requests))
    assert not checker.is_breached("An-Unseen-Passphrase-77") and requests == []


def test_suffix_parsing_ignores_padding_and_case() -> None:
    body = "ABCDEF0123456789ABCDEF0123456789ABC:3\r\n1111111111111111111111111111111111A:0\n"
    assert suffix_count(body, "ABCDEF0123456789ABCDEF0123456789ABC") == 3
    assert suffix_count(body.lower(), "ABCDEF0123456789ABCDEF0123456789ABC") == 3
    assert suffix_count(body, "1111111111111111111111111111111111A") == 0
    assert suffix_count("garbage", "X") == 0
