#!/usr/bin/env bash
# One command from a fresh clone to a running demo on SQLite: http://127.0.0.1:8000/docs
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
. .venv/bin/activate
exec koppel demo "$@"
