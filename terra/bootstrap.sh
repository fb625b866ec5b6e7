# Sourced by ./dev.sh and ./test.sh: installs what the project needs, only when its pins changed.
# Node tools (anvil, solc, OpenZeppelin) into node_modules/, Python into .venv/, the offline compiler registered.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { echo "error: Python 3.11 is required (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "error: Node.js 20 with npm is required" >&2; exit 1; }

if [ ! -x node_modules/.bin/anvil ] || [ ! -f node_modules/.package-lock.json ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing node tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# wrk drives bench/api_load.py (and its smoke test); where apt-get is missing or fails, bootstrap goes on without it.
if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "== installing wrk (apt-get)"
  { apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }; } \
    || echo "warning: could not install wrk (apt-get); bench/api_load.py needs it" >&2
fi

want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f .venv/.terra-installed ] || [ "$(cat .venv/.terra-installed)" != "$want" ]; then
  echo "== installing the Python environment into .venv (pinned by constraints.txt)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
  echo "$want" > .venv/.terra-installed
fi

# py-solc-x (and so `ape compile`) finds the project's own offline solc here and never downloads one.
mkdir -p .solcx
ln -sfn "$ROOT/contracts/compiler/solc" .solcx/solc-v0.8.28
site="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "import os; os.environ.setdefault('SOLCX_BINARY_PATH', '$ROOT/.solcx')" > "$site/terra_solcx.pth"
export PATH="$ROOT/.venv/bin:$ROOT/node_modules/.bin:$PATH"
