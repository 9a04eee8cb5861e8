#!/usr/bin/env bash
# Tools the integration tests need beyond Debian's packages, built from the Go module proxy into .tools/bin:
# Docker Compose v2 (to prove `docker compose config` accepts docker-compose.yml). Skipped when `docker
# compose` already works. Needs Go 1.21 or newer (it fetches the toolchain Compose asks for).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE_VERSION=v2.29.7
bin="$root/.tools/bin"

if docker compose version >/dev/null 2>&1; then exit 0; fi
if [ -x "$bin/docker-compose" ] && [ "$(cat "$bin/.docker-compose-version" 2>/dev/null)" = "$COMPOSE_VERSION" ]; then exit 0; fi
command -v go >/dev/null 2>&1 || { echo "[tools] Go is needed to build Docker Compose $COMPOSE_VERSION (or install Docker Compose)" >&2; exit 1; }
echo "[tools] building Docker Compose $COMPOSE_VERSION from the Go module proxy into .tools/bin (about 2 minutes, once)" >&2
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOBIN="$work" GOFLAGS=-buildvcs=false go install "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
mv "$work/cmd" "$bin/docker-compose"
echo "$COMPOSE_VERSION" >"$bin/.docker-compose-version"
