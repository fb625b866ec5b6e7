"""Reading and checking a Sign-In with Ethereum message with the pinned `siwe` library: its syntax, the fields this
service requires (domain, URI, chain id), its time window, and its signature (ecrecover for an EOA; EIP-1271
`isValidSignature` through the RPC for a contract wallet, the API's one direct chain call). No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

import requests
from siwe import (
    ChainIdMismatch,
    ExpiredMessage,
    InvalidSignature,
    NotYetValidMessage,
    SiweMessage,
    VerificationError,
)
from web3 import HTTPProvider
from web3.exceptions import Web3Exception

from api.errors import (
    SiweChainMismatch,
    SiweDomainMismatch,
    SiweMessageExpired,
    SiweMessageMalformed,
    SiweMessageNotYetValid,
    SiweSignatureInvalid,
    SiweUriMismatch,
    WalletCheckUnavailable,
)

RPC_TIMEOUT_SECONDS = 10.0
MAX_LINE_LENGTH = 256  # a URI, a resource or the statement
WalletKind = Literal["eoa", "contract"]


@dataclass(frozen=True)
class Expected:
    """What a message must name to be meant for this service."""

    domain: str
    uri: str
    chain_id: int


def parse(text: str) -> SiweMessage:
    """The message, refused unless it is well-formed EIP-4361 in its canonical layout: the signature is checked over
    the library's serialisation of the parsed fields, so that must be the very text the wallet signed.

    The library's regular-expression parser splits the fields (its ABNF parser takes seconds on a few hundred
    characters of noise); its field validators (EIP-4361 and RFC 3986 grammars) and the canonical check are as
    strict. Lines are capped because those grammars cost time quadratic in a field's length."""
    if any(len(line) > MAX_LINE_LENGTH for line in text.split("\n")):
        raise SiweMessageMalformed(f"A line of the message is longer than {MAX_LINE_LENGTH} characters.")
    try:
        message = SiweMessage.from_message(text, abnf=False)
        canonical = message.prepare_message()
    except (ValueError, TypeError):  # the parser and pydantic both raise ValueError subclasses
        raise SiweMessageMalformed() from None
    if canonical != text:
        raise SiweMessageMalformed("The message is not laid out as EIP-4361 prescribes (line breaks, fields).")
    return message


def uri_matches(expected: str, actual: str) -> bool:
    """Same scheme and authority, and a path at or below the expected one (`/app` covers `/app/login`, not `/apps`)."""
    try:
        want, got = urlsplit(expected), urlsplit(actual)
    except ValueError:
        return False
    if (want.scheme.lower(), want.netloc.lower()) != (got.scheme.lower(), got.netloc.lower()):
        return False
    base = want.path.rstrip("/")
    return got.path in (base, base + "/") or got.path.startswith(base + "/")


def check_fields(message: SiweMessage, expected: Expected) -> None:
    """Refuses a message meant for another site, URI or chain, before anything costs a lookup."""
    if message.domain.lower() != expected.domain.lower():
        raise SiweDomainMismatch(details={"expected": expected.domain})
    if message.scheme is not None and message.scheme.lower() != urlsplit(expected.uri).scheme.lower():
        raise SiweDomainMismatch("The message's scheme is not this service's.", details={"expected": expected.uri})
    if not uri_matches(expected.uri, str(message.uri)):
        raise SiweUriMismatch(details={"expected": expected.uri})
    if message.chain_id != expected.chain_id:
        raise SiweChainMismatch(details={"expected": expected.chain_id})


def prove_signer(message: SiweMessage, signature: str, now: datetime, rpc_url: str) -> WalletKind:
    """Which kind of wallet signed, or the refusal: an EOA's signature is recovered offline; only when that fails is
    the chain asked whether the address is a contract wallet that accepts the signature (EIP-1271 / EIP-6492)."""
    try:
        message.verify(signature, timestamp=now)
        return "eoa"
    except ExpiredMessage:
        raise SiweMessageExpired() from None
    except NotYetValidMessage:
        raise SiweMessageNotYetValid() from None
    except InvalidSignature:
        pass
    except VerificationError:
        raise SiweSignatureInvalid() from None
    provider = HTTPProvider(rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS})
    try:
        message.verify(signature, timestamp=now, provider=provider)
    except ChainIdMismatch:
        # The message names our chain (checked before): the RPC serves another one, which is our misconfiguration.
        raise WalletCheckUnavailable(details={"reason": "rpc_chain_mismatch"}) from None
    except VerificationError:
        raise SiweSignatureInvalid() from None
    except (requests.RequestException, Web3Exception, OSError):
        raise WalletCheckUnavailable() from None
    return "contract"
