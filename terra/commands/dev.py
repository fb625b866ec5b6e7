"""`terra dev`: the whole stack on this machine with embedded defaults, until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from terra.console import console, report, user_errors

if TYPE_CHECKING:
    from api.settings import ApiSettings
    from core.stripe.settings import StripeSettings
    from terra.local.fake_kyc import FakeKyc
    from terra.local.fake_stripe import FakeStripe
    from terra.local.smtp_sink import FakeSmtpSink
    from terra.local.stack import LocalStack


def _start_stripe(webhook_url: str) -> tuple[StripeSettings, FakeStripe | None]:
    """The local FAKE Stripe when no STRIPE_SECRET_KEY is set (real Stripe otherwise: nothing to start), delivering
    its webhooks to the relayer at `webhook_url`."""
    from core.settings import load_settings
    from core.stripe.settings import StripeSettings
    from terra.local.fake_stripe import FakeStripe

    settings = load_settings(StripeSettings)
    if not settings.uses_fake_stripe:
        return settings, None
    try:
        return settings, FakeStripe.from_settings(settings, webhook_url=webhook_url).start()
    except OSError as exc:
        raise RuntimeError(
            f"the local FAKE Stripe cannot listen on {settings.stripe_base_url}: {exc.strerror or exc}; "
            "set STRIPE_API_BASE to a free loopback port"
        ) from None


def _start_kyc(settings: ApiSettings) -> FakeKyc | None:
    """The local FAKE KYC provider unless KYC_API_TOKEN is set, posting its webhooks to the API."""
    from terra.local.fake_kyc import FakeKyc

    if settings.kyc_mode != "fake":
        return None
    try:
        return FakeKyc.from_settings(settings).start()
    except OSError as exc:
        raise RuntimeError(
            f"the local FAKE KYC provider cannot listen on {settings.kyc_base_url}: {exc.strerror or exc}; "
            "set KYC_API_BASE to a free loopback port"
        ) from None


def _print_kyc(settings: ApiSettings, fake: FakeKyc | None) -> None:
    if fake is None:
        where = f"provider at {settings.kyc_base_url}" if settings.kyc_mode == "provider" else "off"
        console.print(f"KYC                   {where}")
        return
    console.print(f"KYC                   local FAKE KYC provider (no KYC_API_TOKEN): {fake.url}")
    console.print(f"  webhooks to         {fake.sender.url} (signed with the local webhook token)")
    console.print(
        f"  approves after      {fake.approve_after} s; last name 'Consider' is rejected; {fake.url}/_fake/webhooks"
    )


def _start_smtp_sink(stack: LocalStack) -> FakeSmtpSink | None:
    """The local FAKE SMTP sink when no SMTP_HOST is set (a real relay otherwise: nothing to start); the API's
    notification emails go there and are stored as files."""
    from terra.local.smtp_sink import FakeSmtpSink

    if stack.api_settings().smtp_host:
        return None
    sink = FakeSmtpSink(stack.mail_dir).start()
    stack.smtp_sink_port = sink.port
    return sink


def _print_mail(stack: LocalStack, sink: FakeSmtpSink | None) -> None:
    if sink is None:
        console.print(f"email                 SMTP relay {stack.api_settings().smtp_host} (SMTP_HOST set)")
        return
    console.print(f"email                 local FAKE SMTP sink (no SMTP_HOST): {sink.url}, never relayed")
    console.print(f"  received mail       {stack.mail_dir} (one .eml file per message)")


def _print_stripe(settings: StripeSettings, fake: FakeStripe | None) -> None:
    if fake is None:
        console.print("Stripe                real Stripe (STRIPE_SECRET_KEY set)")
        return
    console.print(f"Stripe                local FAKE Stripe, test mode (no STRIPE_SECRET_KEY): {fake.url}")
    console.print(f"  webhooks to         {fake.sender.url} (signed with the local test secret)")
    console.print(f"  delivery log        {fake.url}/_fake/events")
    console.print("  test cards          4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,")
    console.print("                      4000 0000 0000 9995 has insufficient funds; `terra stripe simulate ID`")


def _print_summary(
    stack: LocalStack,
    stripe_settings: StripeSettings,
    fake_stripe: FakeStripe | None,
    relayer_url: str,
    api_url: str,
    api_settings: ApiSettings,
    fake_kyc: FakeKyc | None,
    smtp_sink: FakeSmtpSink | None,
) -> None:
    from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN
    from core.chain.accounts import LOCAL_INVESTORS, anvil_account

    d = stack.deployment
    assert d is not None
    investor = anvil_account(LOCAL_INVESTORS[0])
    console.rule("[bold green]Terra Lumina local stack is up")
    console.print(f"chain id              {d.chain_id}")
    console.print(f"RPC                   {stack.anvil.url}")
    for name in (OWNERSHIP, PAYMENT_ROUTER, STABLECOIN):
        if name in d.contracts:
            console.print(f"{name:<22}{d.address(name)}")
    console.print(f"deploy block          {d.deploy_block}")
    console.print(f"deployments file      {stack.settings.deployments_path / f'{d.chain_id}.json'}")
    console.print(f"data directory        {stack.settings.data_dir}")
    console.print(f"database shell        {stack.psql.shown}")
    console.print(f"logs                  {stack.log_dir}")
    console.print()
    console.print("MetaMask: Settings > Networks > Add network manually:")
    console.print(f"  Network name 'Terra Lumina local', RPC URL {stack.anvil.url}, chain ID {d.chain_id}, symbol ETH")
    console.print(f"  then Import tokens > NFT: address {d.address(OWNERSHIP)}, token ID 1 (or 2, 3)")
    console.print(f"  demo investor (anvil's public dev key, local only): {investor.address}")
    console.print(f"  private key {investor.key.hex()}")
    console.print()
    _print_stripe(stripe_settings, fake_stripe)
    _print_kyc(api_settings, fake_kyc)
    console.print()
    console.print(f"relayer               {relayer_url}/webhooks/stripe  (and /health, /metrics)")
    console.print(f"API                   {api_url}/api/v1  (docs {api_url}/docs; /health, /ready, /metrics)")
    console.print("  JWT key             the named LOCAL-DEV-ONLY key unless API_JWT_SECRET is set")
    _print_mail(stack, smtp_sink)
    console.print(
        "services: indexer (chain -> PostgreSQL), relayer (payments -> mints), API; `terra relayer reconcile`"
    )
    console.print("ape console --network ethereum:local:foundry   (see README)")
    console.print("Ctrl-C stops everything.")


def dev(
    port: Annotated[int, typer.Option(help="anvil port on 127.0.0.1.")] = 8545,
) -> None:
    """Run the local stack: embedded PostgreSQL, anvil, contracts deployed, demo data, all services."""
    from core.chain.compiler import CompilerError
    from core.logging_setup import configure_logging
    from core.settings import load_settings
    from terra.local.services import ServiceThreads
    from terra.local.stack import start_stack
    from terra.ops.settings import OperatorSettings

    with user_errors(CompilerError, RuntimeError):
        settings = load_settings(OperatorSettings)
        configure_logging(settings.log_level, settings.log_json)
        stack = start_stack(settings, port, report)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    services = ServiceThreads()
    fake_stripe: FakeStripe | None = None
    fake_kyc: FakeKyc | None = None
    smtp_sink: FakeSmtpSink | None = None
    try:
        relayer_settings = stack.relayer_settings()
        relayer_url = f"http://{relayer_settings.relayer_host}:{relayer_settings.relayer_port}"
        with user_errors(RuntimeError):
            stripe_settings, fake_stripe = _start_stripe(relayer_url + "/webhooks/stripe")
        services.start_indexer(stack.indexer_settings())
        services.start_relayer(relayer_settings)
        with user_errors(RuntimeError):
            fake_kyc = _start_kyc(stack.api_settings())
        with user_errors(OSError):
            smtp_sink = _start_smtp_sink(stack)
        api_settings = stack.api_settings()  # pointing at the FAKE SMTP sink when one runs
        with user_errors():
            api_url = services.start_api(api_settings)
        _print_summary(stack, stripe_settings, fake_stripe, relayer_url, api_url, api_settings, fake_kyc, smtp_sink)
        while not stop.wait(0.5):
            if stack.anvil.process is None or stack.anvil.process.poll() is not None:
                console.print("[red]anvil stopped unexpectedly[/]; see its log")
                raise typer.Exit(1)
            if not services.alive():
                console.print(f"[red]a service stopped:[/] {'; '.join(services.failures) or 'see the log above'}")
                raise typer.Exit(1)
    finally:
        console.print("stopping...")
        services.shutdown()
        if fake_stripe is not None:
            fake_stripe.stop()
        if fake_kyc is not None:
            fake_kyc.stop()
        if smtp_sink is not None:
            smtp_sink.stop()
        stack.anvil.stop()
    console.print("stopped cleanly")
