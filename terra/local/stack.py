"""The local stack `terra dev` runs: database, chain, contracts, demo data. Each step is a plain function."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from pydantic import SecretStr

from api.settings import ApiSettings
from core.chain.compiler import compile_project
from core.chain.connection import connect
from core.chain.deployments import Deployment
from core.db.embedded import DATABASE_NAME, embedded_server
from core.db.engine import make_engine, make_session_factory, resolve_database_url
from core.db.migrate import upgrade
from core.db.shell import PsqlCommand, embedded_psql, url_psql
from core.settings import ServiceSettings, load_settings
from indexer.settings import IndexerSettings
from indexer.store import reset_chain
from relayer.settings import RelayerSettings
from terra.context import ChainContext
from terra.local.anvil import LOCAL_CHAIN_ID, Anvil
from terra.ops import Report
from terra.ops.demo import demo_projects, seed
from terra.ops.demo_catalogue import seed_catalogue
from terra.ops.deploy import DeployPlan, deploy
from terra.ops.metadata import demo_metadata_cid
from terra.ops.settings import OperatorSettings


@dataclass
class LocalStack:
    settings: OperatorSettings
    anvil: Anvil
    database_url: str = ""
    deployment: Deployment | None = None
    log_dir: Path = field(default_factory=Path)
    # The local FAKE SMTP sink's port when `terra dev` runs one (no SMTP_HOST): the API sends its emails there.
    smtp_sink_port: int | None = None

    def indexer_settings(self) -> IndexerSettings:
        """What the indexer runs with: its own settings from the environment, on this stack's chain and database
        (the operator's deployer key is not among them)."""
        return load_settings(
            IndexerSettings,
            terra_data_dir=self.settings.terra_data_dir,
            deployments_dir=self.settings.deployments_path,
            rpc_url=self.anvil.url,
            rpc_urls=[],
            database_url=SecretStr(self.database_url),
        )

    def relayer_settings(self) -> RelayerSettings:
        """The relayer's own settings from the environment (its key, Stripe), on this stack's chain and database."""
        return load_settings(
            RelayerSettings,
            terra_data_dir=self.settings.terra_data_dir,
            deployments_dir=self.settings.deployments_path,
            rpc_url=self.anvil.url,
            rpc_urls=[],
            database_url=SecretStr(self.database_url),
        )

    def api_settings(self) -> ApiSettings:
        """The API's own settings from the environment, on this stack's chain and database, in local mode (the
        named development JWT key unless API_JWT_SECRET is set; no index-age readiness rule: anvil mines only on
        demand, so an old checkpoint means nothing here). Without KYC_API_TOKEN, KYC goes to the local FAKE provider.
        Investments: Stripe from the same environment as the FAKE Stripe `terra dev` starts (STRIPE_API_BASE, or its
        default address), crypto instructions from this stack's deployment record."""
        settings = load_settings(
            ApiSettings,
            terra_data_dir=self.settings.terra_data_dir,
            deployments_dir=self.settings.deployments_path,
            rpc_url=self.anvil.url,
            rpc_urls=[],
            database_url=SecretStr(self.database_url),
            chain_id=LOCAL_CHAIN_ID,
            api_environment="local",
            api_ready_max_index_age_seconds=None,
            **self._smtp_sink_overrides(),
        )
        # Sign-In with Ethereum messages name the API's own host:port (it serves the web app here) and the anvil
        # chain, whose RPC checks contract wallets; what the environment sets explicitly wins.
        local: dict[str, Any] = {
            "api_siwe_domain": f"{settings.api_host}:{settings.api_port}",
            "api_siwe_uri": f"http://{settings.api_host}:{settings.api_port}",
            "api_siwe_chain_id": LOCAL_CHAIN_ID,
            "api_siwe_rpc_url": self.anvil.url,
        }
        if settings.kyc_api_token is None:
            local["kyc_fake"] = True
        return settings.model_copy(update={k: v for k, v in local.items() if k not in settings.model_fields_set})

    def _smtp_sink_overrides(self) -> dict[str, Any]:
        if self.smtp_sink_port is None:
            return {}
        return {"smtp_host": "127.0.0.1", "smtp_port": self.smtp_sink_port, "smtp_starttls": False, "smtp_user": None}

    @property
    def mail_dir(self) -> Path:
        """Where the FAKE SMTP sink stores what it received, one .eml file per message."""
        return self.settings.data_dir / "mail"

    @property
    def psql(self) -> PsqlCommand:
        """The database shell for this stack's database (printed in the banner)."""
        if self.settings.database_url is not None:
            return url_psql(self.settings.database_url.get_secret_value())
        return embedded_psql(self.settings.data_dir)


def reset_embedded_database(settings: ServiceSettings) -> None:
    """A fresh anvil chain starts at block 0: the embedded database's mirror of the previous chain must go."""
    server = embedded_server(settings.data_dir)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')


def forget_local_chain(url: str) -> None:
    """In a database of the user's own, only the mirror of the local chain id goes (anvil restarts at block 0)."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            reset_chain(session, LOCAL_CHAIN_ID)
    finally:
        engine.dispose()


def prepare_database(settings: ServiceSettings, report: Report) -> str:
    if settings.database_url is None:
        resolve_database_url(settings)  # starts the embedded server
        reset_embedded_database(settings)
        report(f"embedded PostgreSQL under {settings.data_dir / 'postgres'} (fresh database for a fresh chain)")
    url = resolve_database_url(settings)
    upgrade(url)
    if settings.database_url is not None:
        forget_local_chain(url)
        report(f"DATABASE_URL: mirror of the previous local chain ({LOCAL_CHAIN_ID}) removed")
    report("migrations applied")
    return url


def local_metadata_uri(settings: OperatorSettings, api: ApiSettings) -> str:
    """What `uri(id)` points at: METADATA_URI when set, else this stack's own API (on the port it will listen on,
    API_PORT), at /api/v1/metadata/{id}."""
    if "metadata_uri" in settings.model_fields_set:
        return settings.metadata_uri
    host = "127.0.0.1" if api.api_host in ("0.0.0.0", "::", "") else api.api_host
    return f"http://{host}:{api.api_port}/api/v1/metadata/{{id}}"


def start_stack(settings: OperatorSettings, port: int, report: Report) -> LocalStack:
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    anvil = Anvil(port=port, log_path=log_dir / "anvil.log")
    stack = LocalStack(settings=settings, anvil=anvil, log_dir=log_dir)
    stack.database_url = prepare_database(settings, report)
    anvil.start()
    report(f"anvil on {anvil.url} (chain id {anvil.chain_id})")
    try:
        ctx = ChainContext(settings.model_copy(update={"rpc_url": anvil.url}), connect(anvil.url))
        build = compile_project()
        metadata_uri = local_metadata_uri(settings, stack.api_settings())
        plan = DeployPlan(ctx.admin(), ctx.minter_address(), ctx.treasury_address(), metadata_uri)
        stack.deployment = deploy(ctx.w3, build, plan, settings.deployments_path, report)
        # chain_deployments: the indexer records this deployment when it starts on the emptied mirror.
        seed(
            ctx.w3,
            stack.deployment,
            ctx.admin(),
            ctx.minter(),
            lambda project: demo_metadata_cid(settings, project),
            report,
        )
        engine = make_engine(stack.database_url)
        try:
            seed_catalogue(engine, ctx.w3, stack.deployment, demo_projects(), report)
        finally:
            engine.dispose()
    except BaseException:
        anvil.stop()
        raise
    return stack
