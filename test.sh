#!/usr/bin/env bash
# Set up everything and run the whole test suite (extra arguments go to pytest).
source "$(dirname "$0")/terra/bootstrap.sh"
exec .venv/bin/pytest "$@"
