#!/usr/bin/env bash
# The test command (npm test): every test file under test/, through node's test runner, in two
# tiers (test/README.md says which test goes where):
#   test/unit/         database-free: run once
#   test/integration/  starts servers and databases: run twice, on SQLite (the embedded default)
#                      and on PostgreSQL (any test file outside test/unit/ counts as integration)
# Extra arguments select files: npm test -- test/integration/api/iam.test.ts test/unit/import/rules.test.ts
# (a unit file given explicitly runs once, like its whole tier).
#
# The PostgreSQL run uses MODELREG_TEST_DATABASE when it is set (a postgres:// URL of a role
# allowed to CREATE DATABASE: every test server gets its own database); otherwise this script
# starts a scratch cluster of its own (scripts/pg-start.sh in a temp dir) and removes it after.
#   MODELREG_TEST_PG=0     skip the PostgreSQL run (local convenience; ignored when CI=true)
#   MODELREG_TEST_PG=only  run the integration tier only on PostgreSQL (the unit tier still runs once)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then all=("$@"); else mapfile -t all < <(find test -name '*.test.ts' | sort); fi
unit_files=() integration_files=()
for f in "${all[@]}"; do
  case "${f#./}" in
    test/unit/*) unit_files+=("$f") ;;
    *) integration_files+=("$f") ;;
  esac
done

pg_mode="${MODELREG_TEST_PG:-1}"
if [ "${CI:-}" = "true" ] && [ "$pg_mode" = "0" ]; then
  echo "test.sh: CI=true, so the PostgreSQL run is not skipped (MODELREG_TEST_PG=0 ignored)" >&2
  pg_mode=1
fi

work="$(mktemp -d /tmp/modelreg-testrun-XXXXXX)"
chmod 755 "$work"
pg_started=""
cleanup() {
  [ -n "$pg_started" ] && MODELREG_PG_DIR="$work/pg" bash scripts/pg-stop.sh --clean
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One run of some files; $1 names it, the rest are the files. Spec output goes to the console,
# TAP to a file for the summary.
run_suite() {
  local name="$1"; shift
  if [ "$name" = unit ]; then echo "=== unit tier (database-free, once) ==="; else echo "=== integration tier on $name ==="; fi
  node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout="${TEST_TIMEOUT_MS:-600000}" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$work/$name.tap" \
    "$@"
}

# "tests 12, pass 11, fail 1, …" from the TAP summary lines ("# pass 11").
summary_of() {
  local tap="$work/$1.tap" out="" k v
  [ -f "$tap" ] || { echo "no results"; return; }
  for k in tests pass fail skipped todo cancelled; do
    v="$(grep -E "^# $k [0-9]+$" "$tap" | tail -n 1 | awk '{print $3}')"
    out="$out${out:+, }$k ${v:-?}"
  done
  echo "$out"
}

declare -A status
runs=()
if [ "${#unit_files[@]}" -gt 0 ]; then
  runs+=(unit)
  (unset MODELREG_TEST_DATABASE; run_suite unit "${unit_files[@]}")
  status[unit]=$?
fi

if [ "${#integration_files[@]}" -gt 0 ] && [ "$pg_mode" != "only" ]; then
  runs+=(sqlite)
  (unset MODELREG_TEST_DATABASE; run_suite sqlite "${integration_files[@]}")
  status[sqlite]=$?
fi

if [ "${#integration_files[@]}" -gt 0 ] && [ "$pg_mode" != "0" ]; then
  runs+=(postgres)
  pg_url="${MODELREG_TEST_DATABASE:-}"
  if [ -z "$pg_url" ]; then
    if pg_url="$(MODELREG_PG_DIR="$work/pg" bash scripts/pg-start.sh)"; then
      pg_started=1
    else
      echo "test.sh: could not start PostgreSQL (scripts/setup-ci-machine.sh installs it; MODELREG_TEST_PG=0 skips the run)" >&2
      pg_url=""
    fi
  fi
  if [ -n "$pg_url" ]; then
    MODELREG_TEST_DATABASE="$pg_url" run_suite postgres "${integration_files[@]}"
    status[postgres]=$?
  else
    status[postgres]=1
  fi
fi

echo
echo "=== test summary ==="
rc=0
for r in "${runs[@]}"; do
  verdict="ok"
  [ "${status[$r]}" -ne 0 ] && { verdict="FAILED (exit ${status[$r]})"; rc=1; }
  printf '%-9s %-15s %s\n' "$r" "$verdict" "$(summary_of "$r")"
done
[ "${#integration_files[@]}" -gt 0 ] && [ "$pg_mode" = "0" ] && echo "postgres  skipped         (MODELREG_TEST_PG=0)"
# One closing line over every run, in the plain form CI reads.
total_of() { local k="$1" sum=0 r v; for r in "${runs[@]}"; do v="$(grep -E "^# $k [0-9]+$" "$work/$r.tap" 2>/dev/null | tail -n 1 | awk '{print $3}')"; sum=$((sum + ${v:-0})); done; echo "$sum"; }
echo "total: $(total_of pass) passed, $(total_of fail) failed, $(total_of skipped) skipped"
exit "$rc"
