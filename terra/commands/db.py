"""`terra db upgrade|current|shell`."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer

from terra.console import report, user_errors

app = typer.Typer(help="Database migrations and a psql shell.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from core.db.engine import resolve_database_url
    from core.db.migrate import current_revision, upgrade
    from core.settings import ServiceSettings, load_settings

    with user_errors():
        url = resolve_database_url(load_settings(ServiceSettings))
        upgrade(url, revision)
        report(f"database at revision {current_revision(url)}")


@app.command("current")
def current_cmd() -> None:
    """Print the database's current migration revision."""
    from core.db.engine import resolve_database_url
    from core.db.migrate import current_revision
    from core.settings import ServiceSettings, load_settings

    with user_errors():
        report(str(current_revision(resolve_database_url(load_settings(ServiceSettings)))))


@app.command("shell")
def shell_cmd(
    psql_args: Annotated[list[str] | None, typer.Argument(help="Passed on to psql (after --).")] = None,
    print_only: Annotated[bool, typer.Option("--print", help="Only print the psql command.")] = False,
) -> None:
    """Print the exact psql command for the services' database (DATABASE_URL, else the embedded server), then run
    psql with it. The embedded server stops with the last process using it: print it from `terra dev` or keep a
    shell open to use the command elsewhere."""
    from core.db.shell import PsqlCommand, embedded_psql, url_psql
    from core.settings import ServiceSettings, load_settings

    with user_errors():
        settings = load_settings(ServiceSettings)
        command: PsqlCommand
        if settings.database_url is not None:
            command = url_psql(settings.database_url.get_secret_value())
        else:
            command = embedded_psql(settings.data_dir)
    typer.echo(command.shown)
    if print_only:
        return
    sys.stdout.flush()
    # A child, not exec: this process holds the embedded server, which stops when its last user exits.
    try:
        code = subprocess.run([*command.args, *(psql_args or [])], env=os.environ | command.env).returncode
    except FileNotFoundError:
        raise typer.Exit(127) from None
    raise typer.Exit(code)
