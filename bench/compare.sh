#!/usr/bin/env bash
# Two versions of genledger in one run: one command, prints a table, writes
# bench/results/compare-<stamp>.json.
#   bench/compare.sh <base revision> [head revision]     (head: this work tree's production jar)
#   COMPARE_ROUNDS=3 COMPARE_SECONDS=20 COMPARE_USERS=10000
# Each revision is built from its own git worktree. One PostgreSQL 15 holds a database per
# version (each migrated by its own jar, seeded alike: one lot per user where the schema has lots),
# both services stay up, and each is warmed up (alternate 10 s windows of spends, at least six
# each, until two in a row are within 3 %). Then rounds of 64-client uncontended and hot-user
# spends alternate between the two, base-head in odd rounds and head-base in even ones, so the
# drift of a shared machine falls on both alike; the table gives each row and head/base of the means.
# Ports 19800-19899 by default. Needs: wrk, jq, PostgreSQL 15 server, JDK 25, git, root.
PG_PORT=${PG_PORT:-19833} APP_PORT=${APP_PORT:-19881} MGMT_PORT=${MGMT_PORT:-19891}
APP2_PORT=${APP2_PORT:-19882} MGMT2_PORT=${MGMT2_PORT:-19892}
source "$(dirname "$0")/lib.sh"
BASE_REV=${1:?usage: bench/compare.sh <base revision> [head revision]}
HEAD_REV=${2:-}
ROUNDS=${COMPARE_ROUNDS:-3}
SECONDS_PER=${COMPARE_SECONDS:-20}
USERS=${COMPARE_USERS:-10000}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
ROWS="$WORK/compare-rows.jsonl"
mkdir -p "$OUT"; : > "$ROWS"

cleanup() {
  lib_cleanup
  for dir in "$WORK/base-src" "$WORK/head-src"; do
    [ -d "$dir" ] && git -C "$BENCH_ROOT" worktree remove --force "$dir" >/dev/null 2>&1
  done
  return 0
}
trap cleanup EXIT

build() {   # build <revision> <dir>: prints the path of that revision's production jar
  git -C "$BENCH_ROOT" worktree add -q --detach "$2" "$1" >&2
  (cd "$2" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -ntp package -DskipTests >&2) || { log "$1 does not build"; return 1; }
  echo "$2/target/quarkus-app/quarkus-run.jar"
}

log "building $BASE_REV"
BASE_JAR=$(build "$BASE_REV" "$WORK/base-src") || exit 1
BASE_NAME=$(git -C "$BENCH_ROOT" rev-parse --short "$BASE_REV")
if [ -n "$HEAD_REV" ]; then
  log "building $HEAD_REV"
  HEAD_JAR=$(build "$HEAD_REV" "$WORK/head-src") || exit 1
  HEAD_NAME=$(git -C "$BENCH_ROOT" rev-parse --short "$HEAD_REV")
else
  [ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -ntp package -DskipTests)
  HEAD_JAR=$BENCH_ROOT/target/quarkus-app/quarkus-run.jar
  HEAD_NAME="$(git -C "$BENCH_ROOT" rev-parse --short HEAD)$(git -C "$BENCH_ROOT" diff --quiet HEAD -- src pom.xml || echo +changes)"
fi

pg_start
# Two databases, so each version migrates its own schema. Versions before db/roles.sql ran their
# migrations as the service's role, which then owns its database; later ones as the schema owner.
BASE_OWNER=genledger_owner
git -C "$BENCH_ROOT" cat-file -e "$BASE_REV:src/main/resources/db/roles.sql" 2>/dev/null || BASE_OWNER=genledger
sql "CREATE DATABASE base OWNER $BASE_OWNER" >/dev/null
sql "CREATE DATABASE head OWNER genledger_owner" >/dev/null
for db in base head; do PG_DB=$db psql_db -f - < "$BENCH_ROOT/src/main/resources/db/roles.sql" >/dev/null; done
URL=jdbc:postgresql://127.0.0.1:$PG_PORT
BENCH_JAR=$HEAD_JAR app_start jvm "$URL/head"
BENCH_JAR=$BASE_JAR as_app2 app_start jvm "$URL/base" QUARKUS_FLYWAY_USERNAME=$BASE_OWNER
app_wait_ready 240 >/dev/null; as_app2 app_wait_ready 240 >/dev/null
log "both versions migrated; seeding $USERS users in each"
lots_of() {   # 1 where the schema has lots, 0 before them
  [ "$(PG_DB=$1 sql "SELECT count(*) FROM pg_tables WHERE tablename = 'credit_lots'")" = 1 ] && echo 1 || echo 0
}
for db in base head; do PG_DB=$db seed_users "$USERS" 1000000000000 "$(lots_of $db)"; done
TOKEN=$(token service)

port_of() { [ "$1" = base ] && echo "$APP2_PORT" || echo "$APP_PORT"; }
pid_of() { [ "$1" = base ] && echo "$APP2_PID" || echo "$APP_PID"; }

load() { spend_load "$(port_of "$1")" "$2" "$3" "$4"; }   # load <side> <mode> <seconds> <prefix>

measured() {   # measured <side> <mode> <round>: one row with CPU per spend
  local side=$1 mode=$2 round=$3 pid s0 p0 r0 out
  pid=$(pid_of "$side")
  s0=$(cpu_ticks "$pid"); p0=$(pg_ticks); r0=$(PG_DB=$side ledger_rows)
  out=$(load "$side" "$mode" "$SECONDS_PER" "r$round$mode")
  jq -c --arg side "$side" --arg mode "$mode" --argjson round "$round" \
     --argjson svc "$(ticks_ms $(($(cpu_ticks "$pid") - s0)))" --argjson pg "$(ticks_ms $(($(pg_ticks) - p0)))" \
     --argjson spends "$(($(PG_DB=$side ledger_rows) - r0))" --arg la "$(cut -d' ' -f1 /proc/loadavg)" '
    if .s2xx == 0 then error("\($side) \($mode): no spend succeeded (\(.s4xx) 4xx, \(.s5xx) 5xx)") else . end |
    {side: $side, scenario: (if $mode == "spend" then "uncontended" else $mode end), round: $round,
     rps, p50_ms, p99_ms, s2xx, s4xx, s5xx, spends: $spends,
     service_cpu_ms_per_spend: (($svc / $spends * 1000 | round) / 1000),
     pg_cpu_ms_per_spend: (($pg / $spends * 1000 | round) / 1000), loadavg: ($la | tonumber)}' <<< "$out" >> "$ROWS"
  log "round $round $side $mode: $(tail -1 "$ROWS" | jq -r '"\(.rps | round) req/s, service \(.service_cpu_ms_per_spend) ms/spend"')"
}

declare -A prev=([base]=0 [head]=0) done=([base]=0 [head]=0)
windows=0
while [ $((done[base] + done[head])) -lt 2 ] && [ "$windows" -lt 24 ]; do
  windows=$((windows + 1))
  for side in base head; do
    [ "${done[$side]}" = 1 ] && continue
    rps=$(load "$side" spend 10 "w$side" | jq .rps)
    log "warm-up window $windows, $side: $rps req/s"
    [ "$windows" -ge 6 ] && settled "${prev[$side]}" "$rps" && done[$side]=1
    prev[$side]=$rps
  done
done
for side in base head; do load "$side" hot 10 "wh$side" >/dev/null; done

for round in $(seq 1 "$ROUNDS"); do
  order="base head"; [ $((round % 2)) = 0 ] && order="head base"
  for side in $order; do measured "$side" spend "$round"; measured "$side" hot "$round"; done
done

jq -s --arg stamp "$STAMP" --arg base "$BASE_NAME" --arg head "$HEAD_NAME" --argjson secs "$SECONDS_PER" --argjson w "$windows" \
   --arg machine "$(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" '
  def mean(f): (map(f) | add / length);
  {date: $stamp, machine: $machine, base: $base, head: $head, seconds_per_row: $secs, clients: 64, warmup_windows_of_10s: $w,
   rows: .,
   summary: (group_by(.scenario) | map(
     (map(select(.side == "base"))) as $b | (map(select(.side == "head"))) as $h |
     {scenario: .[0].scenario,
      base_rps: ($b | mean(.rps) | round), head_rps: ($h | mean(.rps) | round),
      head_vs_base: ((($h | mean(.rps)) / ($b | mean(.rps)) * 1000 | round) / 1000),
      base_service_cpu_ms: (($b | mean(.service_cpu_ms_per_spend)) * 1000 | round / 1000),
      head_service_cpu_ms: (($h | mean(.service_cpu_ms_per_spend)) * 1000 | round / 1000),
      base_pg_cpu_ms: (($b | mean(.pg_cpu_ms_per_spend)) * 1000 | round / 1000),
      head_pg_cpu_ms: (($h | mean(.pg_cpu_ms_per_spend)) * 1000 | round / 1000)}))}' "$ROWS" > "$OUT/compare-$STAMP.json"
jq -r '"genledger \(.head) against \(.base), \(.date) on \(.machine): \(.clients) clients, \(.seconds_per_row) s a row, warm after \(.warmup_windows_of_10s) × 10 s",
  "",
  "| round | version | scenario | req/s | p50 ms | p99 ms | service CPU ms/spend | PG CPU ms/spend | 4xx | 5xx | load avg |",
  "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.rows[] | "| \(.round) | \(.side) | \(.scenario) | \(.rps | round) | \(.p50_ms) | \(.p99_ms) | \(.service_cpu_ms_per_spend) | \(.pg_cpu_ms_per_spend) | \(.s4xx) | \(.s5xx) | \(.loadavg) |"),
  "",
  "| scenario | base req/s | head req/s | head / base | service CPU ms/spend base → head | PG CPU ms/spend base → head |",
  "|---|---:|---:|---:|---|---|",
  (.summary[] | "| \(.scenario) | \(.base_rps) | \(.head_rps) | \(.head_vs_base) | \(.base_service_cpu_ms) → \(.head_service_cpu_ms) | \(.base_pg_cpu_ms) → \(.head_pg_cpu_ms) |")' \
  "$OUT/compare-$STAMP.json"
echo; echo "results: bench/results/compare-$STAMP.json"
