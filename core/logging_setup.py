"""structlog set-up shared by every service process: console lines, or JSON lines for log collectors, on stderr
(stdout belongs to a command's own output and progress bar), with every URL cut to scheme, host and port and every
configured secret scrubbed (core.redact) before a line is written."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

from core.redact import redact


class StderrLogger:
    """Writes to whatever sys.stderr is at the time (a test runner or a daemon may swap it)."""

    def msg(self, message: str) -> None:
        print(redact(message), file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def stderr_logger_factory(*_args: Any) -> StderrLogger:
    return StderrLogger()


def redact_values(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Scrub before rendering too: a JSON renderer escapes characters a later scrub would have to match."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in event.items()}


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    import structlog

    # Tracebacks as plain text, never with local variables (a request handler's locals hold passwords and tokens).
    if json_lines:
        renderers: list[Any] = [
            structlog.processors.format_exc_info,
            redact_values,
            structlog.processors.JSONRenderer(),
        ]
    else:
        console = structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
        renderers = [redact_values, console]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *renderers,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=stderr_logger_factory,
        cache_logger_on_first_use=True,
    )
