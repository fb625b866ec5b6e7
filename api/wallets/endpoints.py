"""Sign-In with Ethereum (/api/v1/auth/siwe) and the caller's linked wallets (/api/v1/users/me/wallets). HTTP
only: decisions are in service.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from web3 import Web3

from api.accounts.endpoints import session_out
from api.accounts.schemas import SessionOut
from api.deps import AuthConfigDep, CurrentUser, SessionDep, SettingsDep
from api.envelope import Envelope, Meta, PageMeta, ok
from api.pagination import PageDep, page_envelope
from api.wallets import service
from api.wallets.message import Expected
from api.wallets.schemas import ADDRESS_PATTERN, NonceOut, SiweLink, SiweSignIn, WalletOut, WalletUnlinked

router = APIRouter()


def _now() -> datetime:
    return datetime.now(UTC)


def siwe_config(settings: SettingsDep) -> service.SiweConfig:
    return service.SiweConfig(
        expected=Expected(settings.api_siwe_domain, settings.api_siwe_uri, settings.api_siwe_chain_id),
        nonce_lifetime=timedelta(seconds=settings.api_siwe_nonce_seconds),
        rpc_url=settings.siwe_rpc_url,
    )


SiweConfigDep = Annotated[service.SiweConfig, Depends(siwe_config)]


@router.post(
    "/auth/siwe/nonce", status_code=status.HTTP_201_CREATED, response_model=Envelope[NonceOut, Meta], tags=["siwe"]
)
def nonce(db: SessionDep, config: SiweConfigDep) -> Envelope[NonceOut, Meta]:
    """A nonce for one Sign-In with Ethereum message, usable once until `expires_at`, and the domain, URI and chain
    id the message must name."""
    return ok(service.issue_nonce(db, config, _now()))


@router.post("/auth/siwe/verify", response_model=Envelope[SessionOut, Meta], tags=["siwe"])
def verify(
    body: SiweSignIn, db: SessionDep, auth: AuthConfigDep, config: SiweConfigDep, response: Response
) -> Envelope[SessionOut, Meta]:
    """Sign in with a signed EIP-4361 message: the wallet's account (a wallet-only one is created the first time),
    tokens as `POST /users/login` gives them (`mode: bearer|cookie`). Contract wallets are checked by EIP-1271.
    Errors: SIWE_MESSAGE_MALFORMED, SIWE_DOMAIN_MISMATCH, SIWE_URI_MISMATCH, SIWE_CHAIN_MISMATCH,
    SIWE_MESSAGE_EXPIRED, SIWE_MESSAGE_NOT_YET_VALID, SIWE_NONCE_UNKNOWN, SIWE_NONCE_EXPIRED, SIWE_NONCE_USED,
    SIWE_SIGNATURE_INVALID, WALLET_CHECK_UNAVAILABLE."""
    issued = service.sign_in(db, auth, config, body.message, body.signature, _now(), cookie=body.mode == "cookie")
    return ok(session_out(db, issued, body.mode, response))


@router.get("/users/me/wallets", response_model=Envelope[list[WalletOut], PageMeta], tags=["wallets"])
def list_wallets(user: CurrentUser, db: SessionDep, page: PageDep) -> Envelope[list[WalletOut], PageMeta]:
    """The wallets linked to the caller's account, oldest first."""
    return page_envelope(service.wallets(db, user, page))


@router.post(
    "/users/me/wallets", status_code=status.HTTP_201_CREATED, response_model=Envelope[WalletOut, Meta], tags=["wallets"]
)
def link_wallet(
    body: SiweLink, user: CurrentUser, db: SessionDep, config: SiweConfigDep, response: Response
) -> Envelope[WalletOut, Meta]:
    """Link the wallet that signed the message (as for sign-in) to the caller's account: 201, or 200 when it was
    linked already. A KYC-verified account's new wallet is queued for the allowlist. A wallet of another account:
    WALLET_LINKED_ELSEWHERE."""
    linked, created = service.link(db, config, user, body.message, body.signature, _now())
    if not created:
        response.status_code = status.HTTP_200_OK
    return ok(service.wallet_out(linked))


@router.delete("/users/me/wallets/{address}", response_model=Envelope[WalletUnlinked, Meta], tags=["wallets"])
def unlink_wallet(
    address: Annotated[str, Path(pattern=ADDRESS_PATTERN, examples=["0x90F79bf6EB2c4f870365E785982E1f101E93b906"])],
    user: CurrentUser,
    db: SessionDep,
) -> Envelope[WalletUnlinked, Meta]:
    """Unlink a wallet (any letter case). Refused for the last wallet of an account without a password
    (WALLET_IS_LAST_SIGN_IN); not linked to the caller: WALLET_NOT_FOUND."""
    service.unlink(db, user, address)
    return ok(WalletUnlinked(address=Web3.to_checksum_address(address)))
