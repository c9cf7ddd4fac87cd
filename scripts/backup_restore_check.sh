#!/usr/bin/env bash
# Backup/restore round trip for Koppel's PostgreSQL database, with proof.
#
#   scripts/backup_restore_check.sh SOURCE_URL [--keep]
#       pg_dump -Fc SOURCE → pg_restore into a new database SOURCE_restore_<time> on the same
#       server → compare the row count of every table; prints a table, exits 1 on any
#       difference. The restored database is dropped afterwards unless --keep.
#   scripts/backup_restore_check.sh --compare SOURCE_URL OTHER_URL
#       only the row-count comparison of two existing databases.
#
# URLs are libpq URLs (postgresql://user@host:port/db); a SQLAlchemy "+psycopg" suffix is
# accepted. The dump file is kept in $BACKUP_DIR (default: a temp dir, removed at the end).
set -euo pipefail

libpq() { echo "${1/postgresql+psycopg:/postgresql:}"; }

tables() {  # every base table in the public schema, sorted
  psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "SELECT tablename FROM pg_tables
    WHERE schemaname = 'public' ORDER BY tablename"
}

count() { psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM public.\"$2\""; }

compare() {  # compare SOURCE OTHER → prints the table, returns 1 on any difference
  local src dst differ=0
  src=$(libpq "$1"); dst=$(libpq "$2")
  local all
  all=$( { tables "$src"; tables "$dst"; } | sort -u)
  printf '%-28s %12s %12s  %s\n' table source restored status
  for t in $all; do
    local a b status=ok
    a=$(count "$src" "$t" 2>/dev/null || echo missing)
    b=$(count "$dst" "$t" 2>/dev/null || echo missing)
    if [ "$a" != "$b" ]; then status=DIFFERENT; differ=1; fi
    printf '%-28s %12s %12s  %s\n' "$t" "$a" "$b" "$status"
  done
  if [ "$differ" -ne 0 ]; then
    echo "FAILED: row counts differ" >&2
    return 1
  fi
  echo "OK: $(echo "$all" | wc -w) tables, identical row counts"
}

if [ "${1:-}" = "--compare" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --compare SOURCE_URL OTHER_URL" >&2; exit 2; }
  compare "$2" "$3"
  exit $?
fi
[ $# -ge 1 ] || { echo "usage: $0 SOURCE_URL [--keep]" >&2; exit 2; }

SOURCE=$(libpq "$1")
KEEP=${2:-}
BASE=${SOURCE%/*}
NAME=${SOURCE##*/}; NAME=${NAME%%\?*}
TARGET_NAME="${NAME}_restore_$(date +%Y%m%d%H%M%S)_$$"
TARGET="$BASE/$TARGET_NAME"
DIR=${BACKUP_DIR:-$(mktemp -d)}
DUMP="$DIR/$NAME.dump"

cleanup() {
  if [ "$KEEP" != "--keep" ]; then
    psql "$BASE/postgres" -XAtq -c "DROP DATABASE IF EXISTS \"$TARGET_NAME\" WITH (FORCE)" \
      >/dev/null 2>&1 || true
  fi
  [ -n "${BACKUP_DIR:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

echo "1/3 pg_dump -Fc $NAME → $DUMP"
pg_dump -Fc --no-owner --no-privileges -f "$DUMP" "$SOURCE"
echo "2/3 pg_restore into new database $TARGET_NAME"
psql "$BASE/postgres" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$TARGET_NAME\""
pg_restore --no-owner --no-privileges --exit-on-error -d "$TARGET" "$DUMP"
echo "3/3 comparing row counts"
compare "$SOURCE" "$TARGET"
