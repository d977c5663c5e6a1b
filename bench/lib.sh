# Shared helpers for bench/run.sh and bench/chaos.sh: a throwaway PostgreSQL 15, the service
# (JVM jar or native binary) pointed at it, tokens, seeding. Source it; it sets nothing global
# beyond the variables below, and every process it starts is stopped by lib_cleanup.
#   PG_BIN     PostgreSQL binaries (Debian: /usr/lib/postgresql/15/bin)
#   PG_PORT    port of the throwaway database        APP_PORT / MGMT_PORT  service ports
#   WORK       scratch directory (data, logs, results of this run)
#   PG_DATA    the primary's data directory (default $WORK/data; the failover helpers swap it)
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
PG_DATA=${PG_DATA:-$WORK/data}
APP_PID=""
# The services encrypt webhook secrets as in production, every replica with the same key.
BENCH_WEBHOOK_KEY=$(printf 'genledger-bench-webhook-key-0032' | base64)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

psql_db() { runuser -u postgres -- "$PG_BIN/psql" -h "$WORK" -p "$PG_PORT" -U postgres -d "${PG_DB:-postgres}" -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql_db -tAc "$1"; }

pg_start() {   # pg_start [extra postgresql.conf lines...]
  local fresh=0
  if [ ! -d "$PG_DATA" ]; then
    fresh=1
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust >/dev/null
    {
      echo "listen_addresses = '${PG_HOST:-127.0.0.1}'"
      echo "max_connections = 200"
      echo "shared_buffers = 256MB"
      echo "shared_preload_libraries = 'pg_stat_statements'"
      echo "pg_stat_statements.track = all"
      for line in "$@"; do echo "$line"; done
    } >> "$PG_DATA/postgresql.conf"
    echo "host all all 0.0.0.0/0 trust" >> "$PG_DATA/pg_hba.conf"
  fi
  # PG_NETNS: run the server inside that network namespace (the chaos suite's network faults).
  ${PG_NETNS:+ip netns exec "$PG_NETNS"} runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -o "-p $PG_PORT -k $WORK" -l "$PG_DATA.log" -w start >/dev/null
  sql "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  # The schema owner (Flyway), the service's runtime role and the maintenance role.
  [ "$fresh" = 0 ] || psql_db -f - < "$BENCH_ROOT/src/main/resources/db/roles.sql" >/dev/null
}

pg_stop() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "${1:-fast}" -w stop >/dev/null 2>&1 || true; }

# The binary to run: BENCH_NATIVE=path/to/runner, else target/*-runner when a native build exists,
# else the JVM jar (BENCH_JAR, default target/quarkus-app/quarkus-run.jar; BENCH_JAVA_OPTS before
# -jar, BENCH_NATIVE_OPTS after the binary). app_start [jvm|native] [JDBC URL] [extra env assignments...]
native_binary() { local b=${BENCH_NATIVE:-$(ls "$BENCH_ROOT"/target/*-runner 2>/dev/null | head -1)}; [ -n "$b" ] && [ -x "$b" ] && echo "$b"; }

app_start() {
  local mode=${1:-jvm} url=${2:-jdbc:postgresql://${PG_HOST:-127.0.0.1}:$PG_PORT/postgres}
  shift 2 || shift $#
  local cmd port
  for port in "$APP_PORT" "$MGMT_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then log "port $port is already in use: refusing to measure someone else's process"; return 1; fi
  done
  if [ "$mode" = native ]; then cmd=("$(native_binary)" ${BENCH_NATIVE_OPTS:-}); else
    cmd=("$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -jar "${BENCH_JAR:-$BENCH_ROOT/target/quarkus-app/quarkus-run.jar}"); fi
  APP_T0=$(date +%s%N)
  ( cd "$BENCH_ROOT" && exec env QUARKUS_DATASOURCE_JDBC_URL="$url" \
      QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
      QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
      MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
      GENLEDGER_WEBHOOKS_SECRET_KEYS="${GENLEDGER_WEBHOOKS_SECRET_KEYS:-$BENCH_WEBHOOK_KEY}" \
      QUARKUS_HTTP_PORT="$APP_PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" "$@" \
      "${cmd[@]}" ) >> "${APP_LOG:-$WORK/app.log}" 2>&1 &
  APP_PID=$!
}

# Waits for the first ready probe; prints the milliseconds since app_start.
app_wait_ready() {
  local deadline=$(( $(date +%s) + ${1:-90} ))
  until curl -sf -m 1 "localhost:$MGMT_PORT/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "${APP_LOG:-$WORK/app.log}" >&2; return 1; }
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

# A second replica beside app_start's (APP2_PORT, MGMT2_PORT, log app2.log): app2_start [JDBC URL],
# app2_wait_ready, app2_stop, with APP2_PID. Both share the database; a balancer goes in front (lb_start).
APP2_PORT=${APP2_PORT:-21781}
MGMT2_PORT=${MGMT2_PORT:-21791}
APP2_PID=""
as_app2() {
  local a=$APP_PORT m=$MGMT_PORT p=$APP_PID t=${APP_T0:-0} rc=0
  APP_PORT=$APP2_PORT MGMT_PORT=$MGMT2_PORT APP_PID=$APP2_PID APP_LOG=$WORK/app2.log
  "$@" || rc=$?
  APP2_PID=$APP_PID; APP_PORT=$a MGMT_PORT=$m APP_PID=$p APP_T0=$t; APP_LOG=$WORK/app.log
  return $rc
}
app2_start() { as_app2 app_start jvm "$@"; }
app2_wait_ready() { as_app2 app_wait_ready "$@"; }
app2_stop() { as_app2 app_stop; }

# HAProxy on LB_PORT in front of both replicas: round robin, health-checked on readiness (a check
# every second, out after 2 failures, back after 2 successes). lb_stop ends it.
LB_PORT=${LB_PORT:-21782}
LB_PID=""
lb_start() {
  local cfg="$WORK/haproxy.cfg"
  {
    # One log line per request in haproxy.log: its termination state tells who ended a failed one.
    printf 'global\n  maxconn 4096\n  log stdout format raw local0\n'
    printf 'defaults\n  mode http\n  log global\n  option httplog\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n'
    printf 'frontend api\n  bind 127.0.0.1:%s\n  default_backend genledger\n' "$LB_PORT"
    printf 'backend genledger\n  balance roundrobin\n  option httpchk GET /q/health/ready\n  http-check expect status 200\n'
    printf '  default-server inter 1s fall 2 rise 2\n'
    printf '  server r1 127.0.0.1:%s check port %s\n  server r2 127.0.0.1:%s check port %s\n' \
      "$APP_PORT" "$MGMT_PORT" "$APP2_PORT" "$MGMT2_PORT"
  } > "$cfg"
  haproxy -f "$cfg" -db >> "$WORK/haproxy.log" 2>&1 &
  LB_PID=$!
  until curl -s -o /dev/null "localhost:$LB_PORT/q/health/ready"; do sleep 0.1; done
  sleep 2.5   # the first health checks pass (rise)
}
lb_stop() { if [ -n "$LB_PID" ]; then kill "$LB_PID" 2>/dev/null || true; wait "$LB_PID" 2>/dev/null || true; fi; LB_PID=""; }

# CPU time in clock ticks (user + system): cpu_ticks <pid> of one process; pg_ticks of the whole
# server: the postmaster, its live children (backends come and go) and the children it has reaped.
# The difference of two readings over a measured window, divided by its spends, is CPU per spend.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0; }
pg_ticks() {
  local pm t child; pm=$(head -1 "$PG_DATA/postmaster.pid")
  t=$(sed 's/^.*) //' "/proc/$pm/stat" | awk '{print $12 + $13 + $14 + $15}')
  for child in $(pgrep -P "$pm"); do t=$((t + $(cpu_ticks "$child"))); done
  echo "$t"
}
ticks_ms() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN {printf "%.0f", t * 1000 / hz}'; }
# Spends (and other ledger rows) committed so far: the ledger's identity sequence, cheap to read
# while the load runs (a count(*) would scan the growing table).
ledger_rows() { sql "SELECT last_value FROM credit_ledger_id_seq"; }

rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$APP_PID/status"; }

token() { "$BENCH_ROOT/dev/token.sh" "$1"; }

# wrk with bench/lua/genledger.lua against one service; prints its RESULT json. Needs TOKEN, USERS, STAMP.
# spend_load <port> <mode> <seconds> <prefix> [clients, default 64]. The prefix goes into
# Idempotency-Key, which refuses spaces and the like (a 400 for every spend), so only [A-Za-z0-9-] of it is kept.
spend_load() {
  wrk -t 2 -c "${5:-64}" -d "${3}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" \
    "http://127.0.0.1:$1" -- "$2" "$TOKEN" "$USERS" "$(tr -c 'A-Za-z0-9' - <<< "$4")$STAMP" | sed -n 's/^RESULT //p'
}

# Whether a warm-up has settled: settled <previous window's req/s> <this window's>, within 3 %.
settled() { jq -en --argjson a "$1" --argjson b "$2" '$a > 0 and (($b - $a) / $a | fabs) < 0.03' >/dev/null; }

# Users with predictable ids (00000000-0000-4000-8000-<n, 12 digits>), n = first..first+count, each
# with a balance, the GRANT ledger rows that explain it and the lots they created, so reconciliation
# stays clean. User 0 is the "hot" user of the hot-user scenario. seed_users <count> <balance>
# [lots [first]]: lots 1 (the default) is one paid lot that never expires; 3 splits the balance into a
# promotional lot expiring in a year, a paid one expiring in two and a paid one that never expires,
# so every spend reads three lots; 0 writes no lot (a schema from before lots, for comparisons).
seed_users() {
  local count=$1 balance=$2 lots=${3:-1} first=${4:-0} lot_rows
  lot_rows="INSERT INTO credit_lots (user_id, ledger_id, category, amount, remaining, expires_at)
              SELECT s.user_id, e.id, s.category, s.amount, s.amount, s.expires_at
              FROM share s JOIN entry e ON e.user_id = s.user_id AND e.idempotency_key = 'seed-' || s.part"
  [ "$lots" = 0 ] && lot_rows="SELECT count(*) FROM entry"
  sql "WITH fresh AS (
         INSERT INTO users (id, email, balance)
         SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'bench' || n || '@example.com', $balance
         FROM generate_series($first, $first + $count) n RETURNING id, balance),
       terms (part, category, expires_at) AS (
         SELECT * FROM (VALUES (1, 'promotional', now() + interval '1 year'), (2, 'paid', now() + interval '2 years'),
                               (3, 'paid', NULL::timestamptz)) t (part, category, expires_at)
         WHERE $lots = 3 OR t.part = 3),
       parts AS (SELECT count(*) AS n FROM terms),
       share AS (
         SELECT f.id AS user_id, t.part, t.category, t.expires_at,
                CASE WHEN t.part = 3 THEN f.balance - (p.n - 1) * (f.balance / 3) ELSE f.balance / 3 END AS amount
         FROM fresh f CROSS JOIN terms t CROSS JOIN parts p),
       entry AS (
         INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key, actor)
         SELECT user_id, amount, sum(amount) OVER (PARTITION BY user_id ORDER BY part), 'GRANT', 'bench seed',
                'seed-' || part, 'bench'
         FROM share ORDER BY user_id, part
         RETURNING id, user_id, idempotency_key)
       $lot_rows;
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

# --- streaming replication (the chaos suite's failover faults) ----------------------------------
# The primary is PG_DATA on PG_PORT; a standby is STANDBY_DATA on STANDBY_PORT, streaming through
# the primary's Unix socket (same machine, so no network namespace in the way). pg_failover swaps
# the two, so a JDBC URL naming both ports (targetServerType=primary) stays right after each one.
STANDBY_PORT=${STANDBY_PORT:-21733}
STANDBY_DATA=${STANDBY_DATA:-$WORK/standby}

pg_standby_start() {   # a fresh standby of the running primary, caught up and streaming
  pg_stop_dir "$STANDBY_DATA" immediate
  rm -rf "$STANDBY_DATA"
  runuser -u postgres -- "$PG_BIN/pg_basebackup" -h "$WORK" -p "$PG_PORT" -U postgres -D "$STANDBY_DATA" \
    -X stream -R --checkpoint=fast
  # After its promotion it stands alone: it must not wait for a synchronous standby of its own.
  { echo "primary_conninfo = 'host=$WORK port=$PG_PORT user=postgres application_name=standby'"
    echo "synchronous_standby_names = ''"; } >> "$STANDBY_DATA/postgresql.auto.conf"
  ${PG_NETNS:+ip netns exec "$PG_NETNS"} runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" \
    -o "-p $STANDBY_PORT -k $WORK" -l "$STANDBY_DATA.log" -w start >/dev/null
  for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby' AND state = 'streaming'")" = 1 ] && return
    sleep 0.1
  done
  log "the standby is not streaming"; return 1
}

pg_replication() {   # pg_replication sync|async: whether a commit waits for the standby's flush
  local names=; [ "$1" = sync ] && names=standby
  sql "ALTER SYSTEM SET synchronous_commit = 'on'" >/dev/null
  sql "ALTER SYSTEM SET synchronous_standby_names = '$names'" >/dev/null
  sql "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 50); do
    [ "$(sql "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'")" = "$1" ] && return
    sleep 0.1
  done
  log "the standby did not become $1"; return 1
}

pg_kill_primary() {   # the primary's host dies: SIGKILL of the postmaster and every backend at once
  local pm; pm=$(head -1 "$PG_DATA/postmaster.pid")
  kill -KILL "$pm" $(pgrep -P "$pm") 2>/dev/null || true
  rm -f "$PG_DATA/postmaster.pid"   # it never starts again: no one may signal a reused pid
}

pg_failover() {   # the standby promoted; it becomes the primary (PG_DATA, PG_PORT) and the old one is gone
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -w promote >/dev/null
  local d=$PG_DATA p=$PG_PORT
  PG_DATA=$STANDBY_DATA PG_PORT=$STANDBY_PORT
  STANDBY_DATA=$d STANDBY_PORT=$p
}

pg_stop_dir() { [ -f "$1/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1" -m "${2:-fast}" -w stop >/dev/null 2>&1; return 0; }

lib_cleanup() {
  lb_stop
  app2_stop
  app_stop
  [ -d "$PG_DATA" ] && pg_stop immediate
  pg_stop_dir "$STANDBY_DATA" immediate
  return 0
}
