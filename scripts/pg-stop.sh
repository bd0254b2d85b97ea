#!/usr/bin/env bash
# Stops the scratch PostgreSQL that scripts/pg-start.sh started. Idempotent.
#   scripts/pg-stop.sh           stop it, keep its data (the next start is quick)
#   scripts/pg-stop.sh --clean   stop it and delete the whole scratch directory
set -euo pipefail

dir="${MODELREG_PG_DIR:-/tmp/modelreg-pg}"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -f "$dir/data/postmaster.pid" ]; then
  BIN="${MODELREG_PG_BIN:-}"
  if [ -z "$BIN" ]; then
    # The binaries of the cluster's own major version.
    BIN="/usr/lib/postgresql/$(cat "$dir/data/PG_VERSION")/bin"
    [ -x "$BIN/pg_ctl" ] || BIN="$(dirname "$(command -v pg_ctl)")"
  fi
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
fi
if [ "${1:-}" = "--clean" ]; then rm -rf "$dir"; fi
