#!/usr/bin/env bash
# Docker Compose for `make up` and `make down`: the Docker plugin (`docker compose`), else the binary `make tools`
# builds into .tools/bin. Without either, says so plainly (docker itself would print its usage text).
#
#   scripts/compose.sh ARGS...   e.g. scripts/compose.sh up --detach --build --wait
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if docker compose version >/dev/null 2>&1; then exec docker compose "$@"; fi
if [ -x "$root/.tools/bin/docker-compose" ]; then exec "$root/.tools/bin/docker-compose" "$@"; fi
if ! command -v docker >/dev/null 2>&1; then
  echo "Docker is not installed: install Docker Engine with its Compose plugin (https://docs.docker.com/engine/install/)." >&2
else
  echo "Docker Compose is not installed: install Docker's docker-compose-plugin package (https://docs.docker.com/compose/install/linux/), or run 'make tools' (builds it into .tools/bin, with Go ≥ 1.21)." >&2
fi
exit 1
