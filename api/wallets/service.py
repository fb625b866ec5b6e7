"""Wallet decisions: issue a SIWE nonce, prove a signed message (fields, nonce, signature; the nonce consumed
once), sign in with a wallet alone or link it to the caller's account, list and unlink. Never commits."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from web3 import Web3

from api.accounts import service as accounts
from api.accounts.roles import INVESTOR
from api.errors import (
    SiweNonceExpired,
    SiweNonceUnknown,
    SiweNonceUsed,
    WalletIsLastSignIn,
    WalletLinkedElsewhere,
    WalletNotFound,
)
from api.pagination import Page, PageParams, fetch_page
from api.wallets import repository
from api.wallets.message import Expected, WalletKind, check_fields, parse, prove_signer
from api.wallets.schemas import NonceOut, WalletOut
from core.compliance import queue_allow
from core.models import User, UserWallet

NONCE_ALPHABET = string.ascii_letters + string.digits  # EIP-4361: alphanumeric
NONCE_LENGTH = 32  # ~190 bits
KYC_VERIFIED = "verified"


@dataclass(frozen=True)
class SiweConfig:
    expected: Expected
    nonce_lifetime: timedelta
    rpc_url: str


@dataclass(frozen=True)
class ProvenWallet:
    address: str  # lowercase, as stored
    kind: WalletKind
    chain_id: int


def issue_nonce(session: Session, config: SiweConfig, now: datetime) -> NonceOut:
    repository.purge_expired_nonces(session, now)
    value = "".join(secrets.choice(NONCE_ALPHABET) for _ in range(NONCE_LENGTH))
    expires_at = now + config.nonce_lifetime
    repository.add_nonce(session, value, now, expires_at)
    expected = config.expected
    return NonceOut(
        nonce=value, expires_at=expires_at, domain=expected.domain, uri=expected.uri, chain_id=expected.chain_id
    )


def prove(session: Session, config: SiweConfig, text: str, signature: str, now: datetime) -> ProvenWallet:
    """The wallet that signed `text`, its nonce consumed; or the refusal. The signature (maybe an RPC call) is
    checked before the nonce row is locked, so no lock is held across the network."""
    message = parse(text)
    check_fields(message, config.expected)
    _refuse_unusable_nonce(session, message.nonce, now)
    kind = prove_signer(message, signature, now, config.rpc_url)
    if not repository.consume_nonce(session, message.nonce, now):
        _refuse_unusable_nonce(session, message.nonce, now)  # another request consumed it meanwhile
        raise SiweNonceUsed()
    return ProvenWallet(address=message.address.lower(), kind=kind, chain_id=message.chain_id)


def _refuse_unusable_nonce(session: Session, value: str, now: datetime) -> None:
    found = repository.nonce(session, value)
    if found is None:
        raise SiweNonceUnknown()
    if found.consumed_at is not None:
        raise SiweNonceUsed()
    if found.expires_at <= now:
        raise SiweNonceExpired()


def sign_in(
    session: Session,
    auth: accounts.AuthConfig,
    config: SiweConfig,
    text: str,
    signature: str,
    now: datetime,
    cookie: bool,
) -> accounts.IssuedSession:
    """A session for the wallet's account; the first sign-in of an unknown wallet creates a wallet-only account."""
    proven = prove(session, config, text, signature, now)
    repository.lock_address(session, proven.address)
    linked = repository.wallet(session, proven.address)
    if linked is None:
        user = repository.add_wallet_user(session, now)
        accounts.grant_role(session, user.id, INVESTOR)
        _link(session, user, proven, now)
    else:
        found = session.get(User, linked.user_id)
        assert found is not None  # the foreign key cascades: a wallet never outlives its account
        user = found
    return accounts.start_session(session, auth, user, now, cookie)


def link(
    session: Session, config: SiweConfig, user: User, text: str, signature: str, now: datetime
) -> tuple[UserWallet, bool]:
    """The wallet linked to `user`, and whether it is newly linked (linking it again changes nothing)."""
    proven = prove(session, config, text, signature, now)
    repository.lock_address(session, proven.address)
    linked = repository.wallet(session, proven.address)
    if linked is not None:
        if linked.user_id != user.id:
            raise WalletLinkedElsewhere()
        return linked, False
    return _link(session, user, proven, now), True


def _link(session: Session, user: User, proven: ProvenWallet, now: datetime) -> UserWallet:
    linked = repository.add_wallet(
        session, address=proven.address, user_id=user.id, kind=proven.kind, chain_id=proven.chain_id, now=now
    )
    if user.kyc_status == KYC_VERIFIED:
        # A verified investor's new wallet may hold tokens at once: the relayer puts it on the allowlist.
        queue_allow(session, proven.address)
    return linked


def wallets(session: Session, user: User, params: PageParams) -> Page[WalletOut]:
    return fetch_page(session, repository.wallets_query(user.id), params).map(wallet_out)


def unlink(session: Session, user: User, address: str) -> None:
    """Refused when it is the last wallet of an account without a password: nothing could sign in to it again."""
    locked = repository.user_for_update(session, user.id)
    linked = repository.wallet(session, address.lower())
    if locked is None or linked is None or linked.user_id != user.id:
        raise WalletNotFound()
    if locked.password_hash is None and repository.wallet_count(session, user.id) <= 1:
        raise WalletIsLastSignIn()
    repository.delete_wallet(session, linked)


def wallet_out(linked: UserWallet) -> WalletOut:
    return WalletOut(
        address=Web3.to_checksum_address(linked.address),
        kind="contract" if linked.kind == "contract" else "eoa",
        chain_id=linked.chain_id,
        linked_at=linked.linked_at,
    )
