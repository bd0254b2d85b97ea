#!/usr/bin/env bash
# System packages the test suite needs (Debian): PostgreSQL for the scale-out store tests,
# Chromium (and a CJK font) for the web console tests. Idempotent; skips what is already installed.
set -euo pipefail
need=()
command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# A CJK font so the console's Chinese labels render in screenshots (not boxes).
fc-list 2>/dev/null | grep -qi 'wqy' || need+=(fonts-wqy-zenhei)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
