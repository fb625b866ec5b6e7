#!/usr/bin/env bash
# Set up everything, run the static checks (ruff, mypy), then the whole test suite (extra arguments go to pytest).
source "$(dirname "$0")/terra/bootstrap.sh"
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
exec .venv/bin/pytest "$@"
