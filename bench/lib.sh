# Shared helpers for bench/run.sh and bench/chaos.sh: a throwaway PostgreSQL 15, the service
# (JVM jar or native binary) pointed at it, tokens, seeding. Source it; it sets nothing global
# beyond the variables below, and every process it starts is stopped by lib_cleanup.
#   PG_BIN     PostgreSQL binaries (Debian: /usr/lib/postgresql/15/bin)
#   PG_PORT    port of the throwaway database        APP_PORT / MGMT_PORT  service ports
#   WORK       scratch directory (data, logs, results of this run)
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Unusual defaults: the machine is shared, and 8080/9000/18080 are taken by other people's runs.
PG_PORT=${PG_PORT:-21732}
APP_PORT=${APP_PORT:-21780}
MGMT_PORT=${MGMT_PORT:-21790}
WORK=${WORK:-$(mktemp -d /tmp/genledger-bench.XXXXXX)}
chown postgres "$WORK"; chmod 755 "$WORK"
APP_PID=""

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

psql_db() { runuser -u postgres -- "$PG_BIN/psql" -h "$WORK" -p "$PG_PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql_db -tAc "$1"; }

pg_start() {   # pg_start [extra postgresql.conf lines...]
  local fresh=0
  if [ ! -d "$WORK/data" ]; then
    fresh=1
    runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/data" -U postgres --auth=trust >/dev/null
    {
      echo "listen_addresses = '${PG_HOST:-127.0.0.1}'"
      echo "max_connections = 200"
      echo "shared_buffers = 256MB"
      echo "shared_preload_libraries = 'pg_stat_statements'"
      echo "pg_stat_statements.track = all"
      for line in "$@"; do echo "$line"; done
    } >> "$WORK/data/postgresql.conf"
    echo "host all all 0.0.0.0/0 trust" >> "$WORK/data/pg_hba.conf"
  fi
  # PG_NETNS: run the server inside that network namespace (the chaos suite's network faults).
  ${PG_NETNS:+ip netns exec "$PG_NETNS"} runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/data" -o "-p $PG_PORT -k $WORK" -l "$WORK/pg.log" -w start >/dev/null
  sql "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  # The schema owner (Flyway), the service's runtime role and the maintenance role.
  [ "$fresh" = 0 ] || psql_db -f - < "$BENCH_ROOT/src/main/resources/db/roles.sql" >/dev/null
}

pg_stop() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/data" -m "${1:-fast}" -w stop >/dev/null 2>&1 || true; }

# The binary to run: BENCH_NATIVE=path/to/runner, else target/*-runner when a native build exists,
# else the JVM jar. app_start [jvm|native] [JDBC URL] [extra env assignments...]
native_binary() { local b=${BENCH_NATIVE:-$(ls "$BENCH_ROOT"/target/*-runner 2>/dev/null | head -1)}; [ -n "$b" ] && [ -x "$b" ] && echo "$b"; }

app_start() {
  local mode=${1:-jvm} url=${2:-jdbc:postgresql://${PG_HOST:-127.0.0.1}:$PG_PORT/postgres}
  shift 2 || shift $#
  local cmd port
  for port in "$APP_PORT" "$MGMT_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then log "port $port is already in use: refusing to measure someone else's process"; return 1; fi
  done
  if [ "$mode" = native ]; then cmd=("$(native_binary)"); else
    cmd=("$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -jar "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar"); fi
  APP_T0=$(date +%s%N)
  ( cd "$BENCH_ROOT" && exec env QUARKUS_DATASOURCE_JDBC_URL="$url" \
      QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
      QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
      MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
      QUARKUS_HTTP_PORT="$APP_PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" "$@" \
      "${cmd[@]}" ) >> "$WORK/app.log" 2>&1 &
  APP_PID=$!
}

# Waits for the first ready probe; prints the milliseconds since app_start.
app_wait_ready() {
  local deadline=$(( $(date +%s) + ${1:-90} ))
  until curl -sf -m 1 "localhost:$MGMT_PORT/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$WORK/app.log" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "service not ready in time"; return 1; }
    sleep 0.05
  done
  echo $(( ($(date +%s%N) - APP_T0) / 1000000 ))
}

app_stop() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID"; for _ in $(seq 1 100); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$APP_PID" 2>/dev/null || true
  fi
  APP_PID=""
}

rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$APP_PID/status"; }

token() { "$BENCH_ROOT/dev/token.sh" "$1"; }

# Users with predictable ids (00000000-0000-4000-8000-<n, 12 digits>), n = 0..count, each with a
# balance and the GRANT ledger row that explains it, so reconciliation stays clean. User 0 is the
# "hot" user of the hot-user scenario.
seed_users() {
  local count=$1 balance=$2
  sql "INSERT INTO users (id, email, balance)
         SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'bench' || n || '@example.com', $balance
         FROM generate_series(0, $count) n;
       INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key, actor)
         SELECT id, balance, balance, 'GRANT', 'bench seed', 'seed', 'bench' FROM users WHERE email LIKE 'bench%';
       ANALYZE;" >/dev/null
}

# One quiz of five questions per seeded user, id 00000000-0000-4000-9000-<n, 12 digits>.
seed_quizzes() {
  local count=$1
  sql "INSERT INTO quizzes (id, user_id, title, questions)
         SELECT ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid,
                ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Bench quiz ' || n,
                (SELECT jsonb_agg(jsonb_build_object('question', 'Question ' || q || ' of quiz ' || n || '?',
                                                     'options', jsonb_build_array('one', 'two', 'three', 'four'),
                                                     'answer', q % 4))
                 FROM generate_series(1, 5) q)
         FROM generate_series(0, $count) n;
       ANALYZE quizzes;" >/dev/null
}

lib_cleanup() {
  app_stop
  [ -d "$WORK/data" ] && pg_stop immediate
  return 0
}
