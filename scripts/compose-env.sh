#!/usr/bin/env bash
# Creates .env for the docker-compose stack when there is none, so that `make up` needs nothing typed: a random
# password (32 hex characters: URL-safe, as the database URLs need) for each secret docker-compose.yml requires,
# and ALERT_WEBHOOK_URL empty (alerts then stay visible in Alertmanager and Grafana; set it to be notified).
# An existing file is never changed; the secrets are never printed; the file is private (mode 0600).
#
#   scripts/compose-env.sh [FILE]   (default: .env at the project root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
file="${1:-$root/.env}"
SECRETS=(POSTGRES_PASSWORD MIGRATION_DB_PASSWORD ENGINE_DB_PASSWORD GRAFANA_DB_PASSWORD GRAFANA_ADMIN_PASSWORD)

[ -e "$file" ] && exit 0
secret() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
umask 077
# noclobber: created only if it still does not exist (O_EXCL), so a file written meanwhile is never replaced.
set -o noclobber
{
  echo "# Written by 'make up' (scripts/compose-env.sh): random passwords for docker-compose.yml. The database roles"
  echo "# and Grafana's admin take them when the Docker volumes are first created; see docker-compose.yml to change them."
  for name in "${SECRETS[@]}"; do echo "$name=$(secret)"; done
  echo "# Optional: where Alertmanager POSTs every alert (its webhook JSON). Empty: alerts are shown in Alertmanager"
  echo "# (http://127.0.0.1:19093) and Grafana only."
  echo "ALERT_WEBHOOK_URL="
} >"$file"
chmod 600 "$file"
echo "[up] created $(basename "$file") with random passwords (Grafana: user admin, password GRAFANA_ADMIN_PASSWORD in $file)" >&2
if docker volume inspect crypto-strategy-engine_timescaledb-data >/dev/null 2>&1; then
  echo "[up] warning: the Docker volumes of an earlier stack exist; their roles keep the passwords of the .env they were created with. Restore that .env, or delete the volumes and their data: make down ARGS=--volumes" >&2
fi
