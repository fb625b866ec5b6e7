"""Whatever text arrives as a SIWE message (noise, markup, SQL, a real message cut or altered anywhere), the
answer is an enveloped 4xx that stores nothing, or (an alteration that is still a valid message, signed as
altered) the sign-in it claims: never a server error."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.wallets.conftest import Siwe, counts

noise = st.text(min_size=1, max_size=300) | st.sampled_from(
    ["<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\n\n\n", "wants you to sign in with your Ethereum account:"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_message_text_gets_an_enveloped_refusal_and_stores_nothing(
    siwe: Siwe, fresh_account: LocalAccount, data: st.DataObject
) -> None:
    real = siwe.message(fresh_account.address)
    cut = data.draw(st.integers(0, len(real) - 1), label="cut")
    text = data.draw(
        noise | st.builds(lambda s: real[:cut] + s + real[cut + 1 :], st.text(max_size=3)) | st.just(real[:cut] or "x"),
        label="message",
    )
    before = counts(siwe.api.engine)
    answer = siwe.verify({"message": text, "signature": siwe.sign(fresh_account, text)})
    envelope = answer.json()
    if answer.status_code == 200:
        assert envelope["success"] is True and envelope["data"]["access_token"]
        return
    assert 400 <= answer.status_code < 500, answer.text
    assert envelope["success"] is False and envelope["error"]["code"].isupper()
    assert counts(siwe.api.engine) == before
