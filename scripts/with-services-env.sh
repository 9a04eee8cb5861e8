#!/usr/bin/env bash
# Runs a command with the settings `make services-up` wrote to .services.env, for each variable the caller's
# environment does not already set (so `KAFKA_BROKERS=… make producer` still wins).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$root/.services.env" ]; then
  while IFS='=' read -r name value; do
    [[ "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [ -n "${!name:-}" ] || export "$name=$value"
  done <"$root/.services.env"
fi
exec "$@"
