#!/usr/bin/env bash
# Re-resolve the dependencies after a change to pyproject.toml: uv.lock (everything, with the
# test and dev extras) and requirements.lock (what the image installs: runtime only, hashed).
set -euo pipefail
cd "$(dirname "$0")/.."
uv lock "$@"
uv export --quiet --frozen --no-emit-project --format requirements-txt -o requirements.lock
echo "uv.lock and requirements.lock updated"
