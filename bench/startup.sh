#!/usr/bin/env bash
# Startup time and memory of the native binary against the JVM build, on one machine, in one
# command. Needs both builds in target/ (./mvnw package  and  ./mvnw package -Dnative), Debian's
# PostgreSQL 15 (installed with apt-get when missing), curl, openssl and wrk (apt-get install wrk).
#
#   bench/startup.sh                 # 3 cold starts each, then a short load run each
#   RUNS=5 LOAD_SECONDS=30 bench/startup.sh
#
# For each build: time from exec to the first 200 from /q/health/ready (management port; the
# database is a fresh, empty one each start, so Flyway migrates it every time), RSS when idle
# after start, then RSS after a bounded wrk run on loopback (GET a user, then POST grants).
# Ports default to 18080 (API) / 19000 (management) / 55499 (PostgreSQL) so the script can run next
# to a service on 8080/9000; set API_PORT / MGMT_PORT / PG_PORT to change them.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
LOAD_SECONDS=${LOAD_SECONDS:-15}
API_PORT=${API_PORT:-18080}
MGMT_PORT=${MGMT_PORT:-19000}
PG_PORT=${PG_PORT:-55499}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
NATIVE=${NATIVE:-$(ls target/*-runner 2>/dev/null | head -1)}
JAR=${JAR:-target/quarkus-app/quarkus-run.jar}
[ -x "$NATIVE" ] || { echo "no native binary in target/: run ./mvnw package -Dnative first" >&2; exit 1; }
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw package first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/postgres" ] || { apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null; }
dir=$(mktemp -d)
chown postgres "$dir"
runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -o "-p $PG_PORT -k $dir -c max_connections=100" \
  -l "$dir/pg.log" -w start >/dev/null
app=""
stop_app() {
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; app=""; fi
}
cleanup() {
  stop_app
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
psql() { runuser -u postgres -- "$PG_BIN/psql" -h "$dir" -p "$PG_PORT" -U postgres -d postgres -qtAc "$1"; }

now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.0f", kb / 1024}'; }

# start <kind> <database>: starts the build on a fresh database, sets $app and $ready_ms
start() {
  local kind=$1 db=$2 t0
  psql "CREATE DATABASE $db"
  # The roles are the server's; their grants on the schema belong to each database.
  runuser -u postgres -- "$PG_BIN/psql" -h "$dir" -p "$PG_PORT" -U postgres -d "$db" -X -q -v ON_ERROR_STOP=1 \
    -f - < src/main/resources/db/roles.sql
  export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$db" \
    QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
    QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
    QUARKUS_HTTP_PORT=$API_PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT
  t0=$(now_ms)
  if [ "$kind" = native ]; then
    "$NATIVE" > "$dir/$kind.log" 2>&1 &
  else
    "$JAVA" -jar "$JAR" > "$dir/$kind.log" 2>&1 &
  fi
  app=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready"; do
    kill -0 "$app" 2>/dev/null || { echo "$kind exited during start:" >&2; tail -30 "$dir/$kind.log" >&2; exit 1; }
    [ $(( $(now_ms) - t0 )) -lt 60000 ] || { echo "$kind not ready after 60 s" >&2; tail -30 "$dir/$kind.log" >&2; exit 1; }
    sleep 0.005
  done
  ready_ms=$(( $(now_ms) - t0 ))
}

cat > "$dir/grant.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"amount":1,"reason":"bench"}'
LUA

token=$(dev/token.sh service)
declare -A result
for kind in native jvm; do
  times=()
  for run in $(seq 1 "$RUNS"); do
    start "$kind" "bench_${kind}_$run"
    times+=("$ready_ms")
    if [ "$run" -lt "$RUNS" ]; then stop_app; fi
  done
  result[$kind.ready]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  result[$kind.ready_all]="${times[*]}"
  result[$kind.started]=$(grep -o 'started in [0-9.]*s' "$dir/$kind.log" | head -1 | tr -dc '0-9.')
  sleep 5
  result[$kind.rss_idle]=$(mb "$(rss_kb "$app")")
  user=$(curl -sf "http://127.0.0.1:$API_PORT/v1/users" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"email\":\"bench-$kind@example.com\"}" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  wrk -t2 -c16 -d"${LOAD_SECONDS}s" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$API_PORT/v1/users/$user" > "$dir/$kind.read"
  wrk -t2 -c16 -d"${LOAD_SECONDS}s" -H "Authorization: Bearer $token" -s "$dir/grant.lua" \
    "http://127.0.0.1:$API_PORT/v1/users/$user/credits/grant" > "$dir/$kind.write"
  # requests/s, and how many answers were not 2xx (wrk prints that line only when there are some)
  read_rps="$(awk '/Requests\/sec/ {print $2}' "$dir/$kind.read") ($(awk '/Non-2xx/ {print $5}' "$dir/$kind.read" | grep . || echo 0) non-2xx)"
  write_rps="$(awk '/Requests\/sec/ {print $2}' "$dir/$kind.write") ($(awk '/Non-2xx/ {print $5}' "$dir/$kind.write" | grep . || echo 0) non-2xx)"
  result[$kind.rss_load]=$(mb "$(rss_kb "$app")")
  result[$kind.rss_peak]=$(mb "$(hwm_kb "$app")")
  result[$kind.read_rps]=$read_rps
  result[$kind.write_rps]=$write_rps
  result[$kind.balance]=$(curl -sf "http://127.0.0.1:$API_PORT/v1/users/$user/balance" -H "Authorization: Bearer $token")
  stop_app
done

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), \
$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $RUNS cold starts each (median, all in ms), load ${LOAD_SECONDS}s + ${LOAD_SECONDS}s of wrk -t2 -c16"
echo "native: $NATIVE ($(du -m "$NATIVE" | cut -f1) MB); jvm: $("$JAVA" -version 2>&1 | head -1)"
echo
echo "| | native | JVM |"
echo "|---|---|---|"
echo "| first ready probe (median ms) | ${result[native.ready]} | ${result[jvm.ready]} |"
echo "| all runs (ms) | ${result[native.ready_all]} | ${result[jvm.ready_all]} |"
echo "| Quarkus 'started in' (s) | ${result[native.started]} | ${result[jvm.started]} |"
echo "| RSS idle after start (MB) | ${result[native.rss_idle]} | ${result[jvm.rss_idle]} |"
echo "| RSS after load (MB) | ${result[native.rss_load]} | ${result[jvm.rss_load]} |"
echo "| peak RSS (VmHWM, MB) | ${result[native.rss_peak]} | ${result[jvm.rss_peak]} |"
echo "| GET /v1/users/{id} (req/s) | ${result[native.read_rps]} | ${result[jvm.read_rps]} |"
echo "| POST .../credits/grant (req/s) | ${result[native.write_rps]} | ${result[jvm.write_rps]} |"
echo
echo "balances after the grant runs: native ${result[native.balance]}, jvm ${result[jvm.balance]}"
