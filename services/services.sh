#!/usr/bin/env bash
# Local services without Docker: Apache Kafka (KRaft, from Maven Central jars), PostgreSQL and Prometheus
# (Debian packages), each on loopback on a non-default port, each started idempotently and stopped by the
# pid file it wrote. Connection settings go to .services.env. Invoked as root (CI containers), each service
# runs as an unprivileged user that owns its own directory: Kafka as nobody, PostgreSQL as postgres,
# Prometheus as prometheus.
#
# Ports: SERVICES_KAFKA_PORT (the controller takes the next one), SERVICES_PG_PORT and SERVICES_PROMETHEUS_PORT
# from the environment, else those the last `up` wrote to .services.env, else the defaults below. As root in a
# checkout the services' users cannot enter (e.g. under /root, mode 0700), the state lives in
# /var/lib/crypto-strategy-engine/<id> instead, and .services links to it.
#
#   services/services.sh up | down | status
#   services/services.sh kafka-up   --dir DIR --port PORT   (an extra broker, for tests that restart Kafka)
#   services/services.sh kafka-down --dir DIR
#   services/services.sh pg-up      --dir DIR --port PORT   (an extra PostgreSQL, for tests that stop it;
#   services/services.sh pg-down    --dir DIR [--mode fast|immediate]  its URLs are written to DIR/urls.env)
set -euo pipefail
umask 077

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.services"
ENV_FILE="$ROOT/.services.env"
DEFAULT_KAFKA_PORT=19092
DEFAULT_PG_PORT=15432
DEFAULT_PROM_PORT=19090

KAFKA_VERSION=3.9.1
KAFKA_LIB="$STATE/cache/kafka-$KAFKA_VERSION/lib"
PG_DB=strategy_engine
PG_OWNER=strategy_engine
KAFKA_USER=nobody
PG_USER=postgres
PROM_USER=prometheus

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# The port of service variable $1: from the environment, else from .services.env (the last `up`), else $2.
port_setting() {
  local name="$1" value="${!1:-}"
  [ -z "$value" ] && [ -f "$ENV_FILE" ] && value="$(sed -n "s/^$name=//p" "$ENV_FILE" | tail -n 1)"
  value="${value:-$2}"
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1024 ] && [ "$value" -le 65534 ] ||
    die "$name must be a port number from 1024 to 65534, not '$value'"
  echo "$value"
}
KAFKA_PORT="$(port_setting SERVICES_KAFKA_PORT "$DEFAULT_KAFKA_PORT")"
PG_PORT="$(port_setting SERVICES_PG_PORT "$DEFAULT_PG_PORT")"
PROM_PORT="$(port_setting SERVICES_PROMETHEUS_PORT "$DEFAULT_PROM_PORT")"

# --- prerequisites -----------------------------------------------------------------------------------------

pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

# Debian packages the services need, each named with the command that proves it is installed.
missing_packages() {
  local missing=()
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  echo "${missing[@]:-}"
}

ensure_prerequisites() {
  local missing
  missing="$(missing_packages)"
  [ -z "$missing" ] && return
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: $missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
      { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null; }
  else
    die "missing packages: $missing. Install them with: sudo apt-get install -y --no-install-recommends $missing"
  fi
}

# --- process helpers ---------------------------------------------------------------------------------------

is_root() { [ "$(id -u)" = 0 ]; }

# Runs "$@" as the service's user when invoked as root (from /, which that user can enter), else as the
# invoking user.
as_user() {
  local user="$1"
  shift
  if is_root; then (cd / && runuser -u "$user" -- "$@"); else "$@"; fi
}

# As root, puts the state where every service's user can reach it: $ROOT/.services when they can all enter
# the checkout, else /var/lib/crypto-strategy-engine/<hash of the checkout's path>, linked from .services (a
# .services directory left there by an earlier attempt is moved over first).
place_state() {
  is_root || return 0
  local user blocked=""
  for user in "$KAFKA_USER" "$PG_USER" "$(prom_user)"; do
    id "$user" >/dev/null 2>&1 || continue
    (cd / && runuser -u "$user" -- test -x "$ROOT") 2>/dev/null || blocked="$blocked $user"
  done
  [ -z "$blocked" ] && return 0
  local base=/var/lib/crypto-strategy-engine target
  target="$base/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  mkdir -p "$base" && chmod 711 "$base" || die "$ROOT cannot be entered by$blocked, and $base cannot be created. Fix: clone the project where they can (e.g. under /srv or /opt), or run: chmod o+x on $ROOT and each directory above it"
  if [ -d "$STATE" ] && [ ! -L "$STATE" ]; then
    [ -e "$target" ] && die "both $STATE and $target exist; remove one (make services-down first)"
    mv "$STATE" "$target"
  fi
  mkdir -p "$target"
  chmod 711 "$target"
  [ "$(readlink "$STATE" 2>/dev/null)" = "$target" ] || ln -sfn "$target" "$STATE"
  STATE="$target"
  KAFKA_LIB="$STATE/cache/kafka-$KAFKA_VERSION/lib"
}

# Gives a service's directory to its user (when root), private to it.
own_dir() {
  local user="$1" dir="$2"
  mkdir -p "$dir"
  if is_root; then chown -R "$user": "$dir"; fi
  chmod 700 "$dir"
}

# True when the pid file names a live process one of whose arguments is exactly $2, the path of the service's
# own configuration (guards against pid reuse and against matching any other program).
pid_alive() {
  local pidfile="$1" marker="$2" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$marker"
}

# Starts "$@" as user $1, detached in its own session, writing its pid (the exec'd program's) to $2, and
# waits (10 s at most) until the pid file names it. A pid file left by a process that died is removed first:
# it must never be taken for the new process's.
spawn() {
  local user="$1" pidfile="$2" logfile="$3"
  shift 3
  rm -f "$pidfile"
  as_user "$user" setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  for _ in $(seq 1 100); do [ -s "$pidfile" ] && return; sleep 0.1; done
  die "could not start $1: no pid file after 10 s (log: $logfile)"
}

stop_pid() {
  local pidfile="$1" marker="$2" name="$3" pid
  if pid_alive "$pidfile" "$marker"; then
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "$name stopped"
  fi
  rm -f "$pidfile"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The program listening on port $1, as "name (pid N)"; empty when ss cannot name it (not root, or no ss).
port_holder() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n 1 |
    sed -E 's/users:\(\("([^"]*)",pid=([0-9]+)/\1 (pid \2)/' || true
}

# Succeeds, saying what holds it, when port $2 (of service $1) is in use; fails when it is free.
port_busy() {
  local name="$1" port="$2" holder hint=""
  port_free "$port" && return 1
  holder="$(port_holder "$port")"
  [[ "$holder" == docker-proxy* ]] && hint=" (a Docker container: the docker-compose stack? 'make down' stops it)"
  echo "port $port ($name) is in use by ${holder:-another program (run 'ss -ltnp' as root to see which)}$hint"
}

# Fails unless port $2 (of service $1, set by variable $3) is free, naming what holds it and how to move.
require_port() {
  local busy
  busy="$(port_busy "$1" "$2")" || return 0
  die "$busy. Stop it, or choose another port: $3=<port> make services-up (kept in .services.env for later runs)"
}

# Before `up` starts anything: the ports of every service not running yet, each busy one named in one message
# (rather than start Kafka and PostgreSQL, then stop at Prometheus's port).
require_up_ports() {
  local busy=() variables=() line
  if ! pid_alive "$STATE/kafka/kafka.pid" "$STATE/kafka/server.properties"; then
    line="$(port_busy Kafka "$KAFKA_PORT")" && busy+=("$line") && variables+=(SERVICES_KAFKA_PORT)
    line="$(port_busy "Kafka's controller, SERVICES_KAFKA_PORT + 1" $((KAFKA_PORT + 1)))" && busy+=("$line") && variables+=(SERVICES_KAFKA_PORT)
  fi
  if ! { [ -f "$STATE/postgres/data/PG_VERSION" ] && as_user "$PG_USER" "$(pg_bindir)/pg_ctl" -D "$STATE/postgres/data" status >/dev/null 2>&1; }; then
    line="$(port_busy PostgreSQL "$PG_PORT")" && busy+=("$line") && variables+=(SERVICES_PG_PORT)
  fi
  if ! pid_alive "$STATE/prometheus/prometheus.pid" "--config.file=$STATE/prometheus/prometheus.yml"; then
    line="$(port_busy Prometheus "$PROM_PORT")" && busy+=("$line") && variables+=(SERVICES_PROMETHEUS_PORT)
  fi
  [ ${#busy[@]} -eq 0 ] && return 0
  local settings
  settings="$(printf '%s\n' "${variables[@]}" | uniq | sed 's/$/=<port>/' | paste -sd ' ')"
  die "nothing started: $(printf '%s; ' "${busy[@]}" | sed 's/; $//'). Stop them, or choose other ports: $settings make services-up (kept in .services.env for later runs)"
}

# --- Kafka -------------------------------------------------------------------------------------------------

fetch_kafka_jars() {
  [ -f "$KAFKA_LIB/.complete" ] && return
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  # World-readable (the broker runs as another user); -C fails on any checksum mismatch.
  (umask 022 && mkdir -p "$KAFKA_LIB" && mvn -B -q -C -f "$ROOT/services/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB" >&2)
  chmod 755 "$STATE/cache" "$(dirname "$KAFKA_LIB")"
  touch "$KAFKA_LIB/.complete"
}

kafka_up() {
  local dir="$1" port="$2" controller_port=$(($2 + 1))
  local config="$dir/server.properties" pidfile="$dir/kafka.pid" logfile="$dir/kafka.log"
  if pid_alive "$pidfile" "$config"; then
    grep -q "^listeners=PLAINTEXT://127.0.0.1:$port," "$config" ||
      die "Kafka is already running on another port ($(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$config")); to move it to $port, run 'make services-down' first"
    log "Kafka already running on 127.0.0.1:$port"
    return
  fi
  require_port Kafka "$port" SERVICES_KAFKA_PORT
  require_port "Kafka's controller, SERVICES_KAFKA_PORT + 1" "$controller_port" SERVICES_KAFKA_PORT
  fetch_kafka_jars
  mkdir -p "$dir/data"
  cat >"$config" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  : >"$logfile"
  # A copy beside the configuration: the broker's user may not be able to read the checkout.
  cp "$ROOT/services/kafka/log4j.properties" "$dir/log4j.properties"
  own_dir "$KAFKA_USER" "$dir"
  local java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:-UsePerfData -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$dir/log4j.properties" -cp "$KAFKA_LIB/*")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(as_user "$KAFKA_USER" java "${java_opts[@]}" kafka.tools.StorageTool random-uuid)"
    as_user "$KAFKA_USER" java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$config" \
      --ignore-formatted >/dev/null
  fi
  spawn "$KAFKA_USER" "$pidfile" "$logfile" java "${java_opts[@]}" kafka.Kafka "$config"
  # Ready once the broker has logged its start and accepts connections; 120 s at most. What is reported is
  # what happened: ready, exited (with the log's tail), or still starting when the time ran out.
  local pid
  pid="$(cat "$pidfile")"
  for _ in $(seq 1 1200); do
    if grep -q 'Kafka Server started' "$logfile" && ! port_free "$port"; then
      log "Kafka $KAFKA_VERSION ready on 127.0.0.1:$port"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2
  if kill -0 "$pid" 2>/dev/null; then die "Kafka (pid $pid) is not ready after 120 s (log: $logfile)"; fi
  die "Kafka exited while starting (log: $logfile)"
}

kafka_down() { stop_pid "$1/kafka.pid" "$1/server.properties" Kafka; }

# --- PostgreSQL --------------------------------------------------------------------------------------------

# Starts (initialising on first use) a PostgreSQL cluster in $1 on port $2, with the project's database and
# roles, random passwords kept in $1, and the connection URLs written to $1/urls.env.
pg_up() {
  local dir="$1" port="$2" bin
  local data="$dir/data" run="$dir/run"
  bin="$(pg_bindir)"
  if [ -f "$data/PG_VERSION" ] && as_user "$PG_USER" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    local running
    running="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)"
    [ "$running" = "$port" ] || die "PostgreSQL is already running on another port ($running); to move it to $port, run 'make services-down' first"
    log "PostgreSQL already running on 127.0.0.1:$port"
    return
  fi
  own_dir "$PG_USER" "$dir"
  own_dir "$PG_USER" "$run"
  require_port PostgreSQL "$port" SERVICES_PG_PORT
  if [ ! -f "$data/PG_VERSION" ]; then
    # The socket lives in a directory only the cluster's user can enter, so trust on it admits that user only.
    as_user "$PG_USER" "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C >/dev/null
    as_user "$PG_USER" tee -a "$data/postgresql.conf" >/dev/null <<EOF
# written by services/services.sh
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$run'
EOF
  fi
  local role
  for role in owner writer reader; do
    [ -f "$dir/$role-password" ] && continue
    head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' | as_user "$PG_USER" tee "$dir/$role-password" >/dev/null
  done
  as_user "$PG_USER" "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 start >/dev/null ||
    { tail -n 30 "$dir/postgres.log" >&2; die "PostgreSQL did not start (log: $dir/postgres.log)"; }
  # The schema owner runs migrations; the engine writes as engine_writer; Grafana reads as grafana_reader.
  { cat "$ROOT/db/roles.sql"; cat <<EOF
SELECT 'CREATE ROLE $PG_OWNER LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_OWNER') \gexec
ALTER ROLE $PG_OWNER WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '$(cat "$dir/owner-password")';
ALTER ROLE engine_writer PASSWORD '$(cat "$dir/writer-password")';
ALTER ROLE grafana_reader PASSWORD '$(cat "$dir/reader-password")';
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_OWNER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
EOF
  } | as_user "$PG_USER" "$bin/psql" -q -h "$run" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null
  local db="127.0.0.1:$port/$PG_DB"
  cat >"$dir/urls.env" <<EOF
DATABASE_URL=postgres://engine_writer:$(cat "$dir/writer-password")@$db
MIGRATION_DATABASE_URL=postgres://$PG_OWNER:$(cat "$dir/owner-password")@$db
GRAFANA_DATABASE_URL=postgres://grafana_reader:$(cat "$dir/reader-password")@$db
EOF
  log "PostgreSQL ready on 127.0.0.1:$port (database $PG_DB)"
}

# Stops the cluster in $1: mode fast (default: clients are disconnected, a clean shutdown) or immediate (every
# server process quits at once, as in a crash; the next start recovers from the WAL).
pg_down() {
  local dir="$1" mode="${2:-fast}" bin
  bin="$(pg_bindir)"
  case "$mode" in fast|immediate) ;; *) die "pg-down --mode must be fast or immediate, not '$mode'" ;; esac
  [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ] || return 0
  as_user "$PG_USER" "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null 2>&1 && log "PostgreSQL stopped ($mode)" || true
}

pg_running() {
  local bin
  bin="$(pg_bindir)"
  [ -n "$bin" ] && [ -f "$STATE/postgres/data/PG_VERSION" ] &&
    as_user "$PG_USER" "$bin/pg_ctl" -D "$STATE/postgres/data" status >/dev/null 2>&1
}

# --- Prometheus --------------------------------------------------------------------------------------------

prom_user() { if id "$PROM_USER" >/dev/null 2>&1; then echo "$PROM_USER"; else echo nobody; fi; }

prom_up() {
  local dir="$STATE/prometheus" user
  local config="--config.file=$dir/prometheus.yml" pidfile="$dir/prometheus.pid"
  user="$(prom_user)"
  if pid_alive "$pidfile" "$config"; then
    local running
    running="$(tr '\0' '\n' <"/proc/$(cat "$pidfile")/cmdline" | sed -n 's/^--web.listen-address=127.0.0.1://p')"
    [ "$running" = "$PROM_PORT" ] || die "Prometheus is already running on another port ($running); to move it to $PROM_PORT, run 'make services-down' first"
    log "Prometheus already running on 127.0.0.1:$PROM_PORT"
    return
  fi
  require_port Prometheus "$PROM_PORT" SERVICES_PROMETHEUS_PORT
  mkdir -p "$dir/data" "$dir/targets"
  # A copy beside the configuration: Prometheus's user may not be able to read the checkout.
  cp "$ROOT/prometheus/alerts.yml" "$dir/alerts.yml"
  cat >"$dir/prometheus.yml" <<EOF
# written by services/services.sh
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files: ['$dir/alerts.yml']
scrape_configs:
  - job_name: producer
    static_configs: [{ targets: ['127.0.0.1:9464'] }]
  - job_name: engine
    static_configs: [{ targets: ['127.0.0.1:9465'] }]
  # make demo registers its producer and engine here (one JSON file each, labels job and demo); the
  # integration tests never use this Prometheus: they start their own (testing/services/startTestPrometheus.ts).
  - job_name: tests
    scrape_interval: 1s
    file_sd_configs: [{ files: ['$dir/targets/*.json'], refresh_interval: 1s }]
EOF
  : >"$dir/prometheus.log"
  own_dir "$user" "$dir"
  # The tests (the invoking user) write target files; Prometheus only reads them.
  chmod 711 "$dir"
  chmod 1777 "$dir/targets"
  spawn "$user" "$pidfile" "$dir/prometheus.log" prometheus "$config" \
    --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$PROM_PORT"
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && { log "Prometheus ready on 127.0.0.1:$PROM_PORT"; return; }
    pid_alive "$pidfile" "$config" || break
    sleep 0.1
  done
  tail -n 30 "$dir/prometheus.log" >&2
  die "Prometheus did not start (log: $dir/prometheus.log)"
}

prom_down() { stop_pid "$STATE/prometheus/prometheus.pid" "--config.file=$STATE/prometheus/prometheus.yml" Prometheus; }

# --- commands ----------------------------------------------------------------------------------------------

write_env_file() {
  { echo "# Written by 'make services-up' (services/services.sh): how to reach the local services."
    echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    cat "$STATE/postgres/urls.env"
    echo "PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT"
    echo "SERVICES_KAFKA_PORT=$KAFKA_PORT"
    echo "SERVICES_PG_PORT=$PG_PORT"
    echo "SERVICES_PROMETHEUS_PORT=$PROM_PORT"
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

status() {
  local ok=0
  if pid_alive "$STATE/kafka/kafka.pid" "$STATE/kafka/server.properties"; then echo "kafka: running (127.0.0.1:$KAFKA_PORT)"; else echo "kafka: stopped"; ok=1; fi
  if pg_running; then echo "postgres: running (127.0.0.1:$PG_PORT)"; else echo "postgres: stopped"; ok=1; fi
  if pid_alive "$STATE/prometheus/prometheus.pid" "--config.file=$STATE/prometheus/prometheus.yml"; then
    echo "prometheus: running (127.0.0.1:$PROM_PORT)"
  else echo "prometheus: stopped"; ok=1; fi
  return $ok
}

arg() { # arg NAME default "$@": value of --NAME in the remaining arguments
  local name="$1" value="$2"
  shift 2
  while [ $# -gt 0 ]; do
    [ "$1" = "--$name" ] && { value="$2"; shift; }
    shift
  done
  echo "$value"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    ensure_prerequisites
    place_state
    mkdir -p "$STATE/cache"
    # Traversable but not listable, so each service's user reaches its own directory and nothing else.
    chmod 711 "$STATE"
    require_up_ports
    kafka_up "$STATE/kafka" "$KAFKA_PORT"
    pg_up "$STATE/postgres" "$PG_PORT"
    prom_up
    write_env_file
    log "connection settings written to .services.env"
    ;;
  down)
    place_state
    prom_down
    pg_down "$STATE/postgres"
    kafka_down "$STATE/kafka"
    ;;
  status) place_state; status ;;
  kafka-up)
    dir="$(arg dir "" "$@")"
    [ -n "$dir" ] || die "kafka-up needs --dir DIR"
    ensure_prerequisites
    place_state
    mkdir -p "$STATE/cache"
    chmod 711 "$STATE"
    kafka_up "$dir" "$(arg port 29092 "$@")"
    ;;
  kafka-down)
    dir="$(arg dir "" "$@")"
    [ -n "$dir" ] || die "kafka-down needs --dir DIR"
    kafka_down "$dir"
    ;;
  pg-up)
    dir="$(arg dir "" "$@")"
    [ -n "$dir" ] || die "pg-up needs --dir DIR"
    ensure_prerequisites
    pg_up "$dir" "$(arg port 25432 "$@")"
    ;;
  pg-down)
    dir="$(arg dir "" "$@")"
    [ -n "$dir" ] || die "pg-down needs --dir DIR"
    pg_down "$dir" "$(arg mode fast "$@")"
    ;;
  *)
    echo "usage: $0 up | down | status | kafka-up|pg-up --dir DIR --port PORT | kafka-down|pg-down --dir DIR" >&2
    exit 2
    ;;
esac
