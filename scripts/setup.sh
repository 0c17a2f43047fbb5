#!/usr/bin/env bash
# Sets up everything Xã Số needs in this folder: a virtual environment with the Python
# packages, the front-end libraries from the npm registry (copied into the git-ignored
# docmgmt/static/vendor), and the compiled translation catalogues.
# Usage: scripts/setup.sh [--dev]     (--dev adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."

extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Xã Số needs Python 3.11 or newer (found: $("$python" --version 2>&1))." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "Xã Số needs Node.js and npm to install its front-end libraries (apt-get install -y nodejs npm)." >&2
  exit 1
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
# Reinstall only when pyproject.toml changed since the last install.
stamp=".venv/.xaso-installed${extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".${extra}"
  touch "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
scripts/vendor.sh

.venv/bin/pybabel compile -d docmgmt/translations >/dev/null
