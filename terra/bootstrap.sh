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

# System packages (Debian): PostGIS for the machine's PostgreSQL 15, so that the catalogue's radius search uses
# its geography column (migration 0009). Best effort: without apt (or root) the great-circle fallback is used.
terra_apt_install() {
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || { echo "note: not installing ${missing[*]} (needs root)"; return 0; }
    sudo=(sudo -n)
  fi
  echo "== installing ${missing[*]} (apt-get)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 \
         && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || echo "note: apt-get could not install ${missing[*]}; continuing without"
}
if [ -d /usr/lib/postgresql/15/bin ]; then
  terra_apt_install postgresql-15-postgis-3
fi
# wrk drives bench/api_load.py (and its smoke test); without it the bench says so.
terra_apt_install wrk

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
