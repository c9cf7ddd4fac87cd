#!/usr/bin/env bash
# One command from a fresh clone to the full test suite on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
. .venv/bin/activate

# PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres); start the local cluster if it is down.
if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "Starting PostgreSQL …"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

echo "== ruff =="
ruff check api matching models tests bench scripts
echo "== mypy =="
mypy api models matching
# Headless Chromium for tests/api/test_dashboard_browser.py (required under CI=true).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing chromium …"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "WARNING: chromium is not installed and this is not root; the dashboard browser test" \
         "will be skipped (or fail under CI=true)" >&2
  fi
fi

echo "== pytest (SQLite and PostgreSQL, ${PYTEST_WORKERS:-2} processes) =="
# pytest-xdist: each process has its own session fixtures (its own PostgreSQL databases, named
# after its pid, and its own temporary directories); PYTEST_WORKERS=0 runs in this process
python -m pytest -n "${PYTEST_WORKERS:-2}" --cov=api --cov=matching --cov=models \
  --cov-report=term:skip-covered "$@"

echo "== koppel eval (match-quality floors: top-1 >= 0.9, no rule violations) =="
koppel eval
