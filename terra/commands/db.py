"""`terra db upgrade|current`."""

from __future__ import annotations

import typer

from core.db.engine import resolve_database_url
from core.db.migrate import current_revision, upgrade
from core.settings import get_settings
from terra.console import report, user_errors

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    with user_errors():
        url = resolve_database_url(get_settings())
        upgrade(url, revision)
        report(f"database at revision {current_revision(url)}")


@app.command("current")
def current_cmd() -> None:
    """Print the database's current migration revision."""
    with user_errors():
        report(str(current_revision(resolve_database_url(get_settings()))))
