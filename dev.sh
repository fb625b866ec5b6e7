#!/usr/bin/env bash
# Set up everything and run the local stack (`terra dev`) until Ctrl-C.
source "$(dirname "$0")/terra/bootstrap.sh"
exec .venv/bin/terra dev "$@"
