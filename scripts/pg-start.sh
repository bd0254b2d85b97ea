#!/usr/bin/env bash
# Starts a scratch PostgreSQL for tests and development: a throw-away cluster under
# $MODELREG_PG_DIR (default /tmp/modelreg-pg), listening on 127.0.0.1 only, unix socket in
# that directory, trust authentication. Idempotent: when it already runs, it only prints.
#
#   scripts/pg-start.sh            prints the admin URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg-start.sh --env      prints `export MODELREG_TEST_DATABASE=…` for eval
#   MODELREG_PG_PORT=5544 …        a fixed port (default: a free one, kept across restarts)
#
# PostgreSQL refuses to run as root: as root the cluster is owned by and run as the `postgres`
# OS user (created by Debian's postgresql package); as anyone else it runs as that user.
# Stop it with scripts/pg-stop.sh. Settings favour speed over durability (fsync off): never
# point anything that matters at this cluster.
set -euo pipefail

dir="${MODELREG_PG_DIR:-/tmp/modelreg-pg}"
mode="url"
[ "${1:-}" = "--env" ] && mode="env"

bindir() {
  if [ -n "${MODELREG_PG_BIN:-}" ]; then echo "$MODELREG_PG_BIN"; return; fi
  local d
  # The newest Debian cluster version first, then whatever is on PATH.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  echo "pg-start: PostgreSQL server binaries not found (apt-get install postgresql, or set MODELREG_PG_BIN)" >&2
  exit 1
}
BIN="$(bindir)"

# Run a PostgreSQL binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

print_url() {
  local url="postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
  if [ "$mode" = "env" ]; then echo "export MODELREG_TEST_DATABASE=$url"; else echo "$url"; fi
}

if [ -f "$dir/data/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  print_url
  exit 0
fi

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  rm -rf "$dir/data"
  # C locale: the same byte-wise string ordering as SQLite, so listings sort identically.
  as_owner "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
fi
port="${MODELREG_PG_PORT:-}"
if [ -z "$port" ]; then
  port="$(cat "$dir/port" 2>/dev/null || true)"
  # A remembered port another process took since is replaced by a fresh one.
  if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=""; fi
  [ -n "$port" ] || port="$(free_port)"
fi
echo "$port" >"$dir/port"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/port"

opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400"
opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null; then
  echo "pg-start: PostgreSQL did not start; its log ($dir/server.log):" >&2
  tail -n 30 "$dir/server.log" >&2 || true
  exit 1
fi
print_url
