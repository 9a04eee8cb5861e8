#!/usr/bin/env bash
# Runs a command with some of the settings `make services-up` wrote to .services.env: only the variables
# named before `--`, and only those the caller's environment does not set (`KAFKA_BROKERS=… make producer`
# wins). A program thus never receives a secret it does not use.
#
#   scripts/with-services-env.sh KAFKA_BROKERS -- node dist/producer/main.js
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wanted=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do wanted+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "usage: $0 VAR... -- command" >&2; exit 2; }
shift
if [ -f "$root/.services.env" ]; then
  while IFS='=' read -r name value; do
    [[ " ${wanted[*]} " == *" $name "* ]] || continue
    [ -n "${!name:-}" ] || export "$name=$value"
  done <"$root/.services.env"
fi
exec "$@"
