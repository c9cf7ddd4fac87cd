#!/usr/bin/env bash
# Create .venv (Python 3.11) and install Koppel with its test extras from the lock file
# (uv.lock): the exact versions and hashes recorded there, then Koppel itself (editable, no
# dependencies of its own). Safe to re-run. Regenerate the lock with scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
UV_VERSION=0.13.9
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "Koppel needs Python 3.11 (found $("$PY" --version))" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $("$PY" --version) …"
  "$PY" -m venv .venv
fi
. .venv/bin/activate
if ! uv --version 2>/dev/null | grep -q "^uv $UV_VERSION\b"; then
  python -m pip install --quiet "uv==$UV_VERSION"
fi
echo "Installing the locked dependencies (uv.lock) …"
locked=$(mktemp)
trap 'rm -f "$locked"' EXIT
uv export --quiet --frozen --extra test --no-emit-project --format requirements-txt -o "$locked"
uv pip install --quiet --python .venv/bin/python --require-hashes -r "$locked"
echo "Installing Koppel …"
uv pip install --quiet --python .venv/bin/python --no-deps -e .
