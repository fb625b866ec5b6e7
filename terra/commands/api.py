"""`terra api`: the HTTP API under uvicorn, with N worker processes (each its own engine and metrics, merged by
prometheus_client's multiprocess mode). FastAPI, SQLAlchemy and uvicorn are imported only when it runs."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

import typer

from terra.console import console, user_errors


def api(
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: API_WORKERS, 1).")] = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default: API_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: API_PORT).")] = None,
) -> None:
    """Run the API: /api/v1 (OpenAPI at /docs), /health, /ready, /metrics."""
    from pydantic import SecretStr

    from api.settings import ApiSettings
    from core.db.engine import resolve_database_url
    from core.logging_setup import configure_logging
    from core.settings import load_settings

    overrides = {k: v for k, v in {"api_host": host, "api_port": port}.items() if v is not None}
    with user_errors():
        settings = load_settings(ApiSettings, names={"api_host": "--host", "api_port": "--port"}, **overrides)
        settings.jwt_key()  # a missing or short key is one line here, not a traceback per worker
        configure_logging(settings.log_level, settings.log_json)
        # Resolved once: an embedded PostgreSQL is started here, and every worker reaches that one.
        database_url = resolve_database_url(settings)
    count = workers or settings.api_workers
    url = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"API on {url}/api/v1 (docs {url}/docs), {count} worker{'s' if count > 1 else ''}; Ctrl-C stops it")
    import uvicorn

    common = {
        "host": settings.api_host,
        "port": settings.api_port,
        "log_config": None,  # our structlog lines; uvicorn's own access log would duplicate them
        "access_log": False,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.api_forwarded_allow_ips,
    }
    if count == 1:
        from api.app import create_app

        with user_errors():
            app = create_app(settings.model_copy(update={"database_url": SecretStr(database_url)}))
        uvicorn.run(app, **common)  # type: ignore[arg-type]
        return
    os.environ["DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="terra-api-metrics-") as metrics_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        uvicorn.run("api.asgi:app_from_environment", factory=True, workers=count, **common)  # type: ignore[arg-type]
