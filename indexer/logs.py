"""structlog set-up for the indexer process: console lines, or JSON lines for log collectors, on stderr
(stdout belongs to the command's own output and progress bar)."""

from __future__ import annotations

import logging
import sys
from typing import Any


class StderrLogger:
    """Writes to whatever sys.stderr is at the time (a test runner or a daemon may swap it)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def stderr_logger_factory(*_args: Any) -> StderrLogger:
    return StderrLogger()


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    import structlog

    renderer = structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=stderr_logger_factory,
        cache_logger_on_first_use=True,
    )
