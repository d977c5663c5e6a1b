#!/usr/bin/env bash
# Several versions of genledger in one run: one command, prints a table, writes
# bench/results/compare-<stamp>.json.
#   bench/compare.sh <revision>                       that revision against this work tree's jar
#   bench/compare.sh <revision> <revision> [...]      those revisions (up to 8), oldest first
#   COMPARE_ROUNDS=3 COMPARE_SECONDS=20 COMPARE_USERS=10000
# Each revision is built from its own git worktree. One PostgreSQL 15 holds a database per
# version (each migrated by its own jar, seeded alike: one lot per user where the schema has lots),
# every service stays up, and all are warmed up together (10 s windows of spends in turn, at least
# six each, until each version has had two in a row within 3 %). Then rounds of 64-client
# uncontended and hot-user spends go through the versions in turn, forwards in odd rounds and
# backwards in even ones, so the drift of a shared machine falls on all alike. The table gives each
# row, and each version's means against the first version and against the one before it.
# Ports 19800-19899 by default. Needs: wrk, jq, PostgreSQL 15 server, JDK 25, git, root.
PG_PORT=${PG_PORT:-19833} APP_PORT=${APP_PORT:-19881} MGMT_PORT=${MGMT_PORT:-19891}
source "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [ $# -le 8 ] || { echo "usage: bench/compare.sh <revision> [<revision> ...] (at most 8)" >&2; exit 2; }
REVS=("$@")
[ $# = 1 ] && REVS+=("")   # the work tree
ROUNDS=${COMPARE_ROUNDS:-3}
SECONDS_PER=${COMPARE_SECONDS:-20}
USERS=${COMPARE_USERS:-10000}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
ROWS="$WORK/compare-rows.jsonl"
mkdir -p "$OUT"; : > "$ROWS"
N=${#REVS[@]}
SIDES=$(seq 0 $((N - 1)))
declare -a JAR NAME PID OWNER

cleanup() {
  local i
  for i in $SIDES; do [ -n "${PID[$i]:-}" ] && APP_PID=${PID[$i]} app_stop; done
  lib_cleanup
  for i in $SIDES; do
    [ -d "$WORK/src$i" ] && git -C "$BENCH_ROOT" worktree remove --force "$WORK/src$i" >/dev/null 2>&1
  done
  return 0
}
trap cleanup EXIT

for i in $SIDES; do
  rev=${REVS[$i]}
  if [ -z "$rev" ]; then
    # Always packaged: a jar left by an earlier build would be measured as this work tree.
    (cd "$BENCH_ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -ntp package -DskipTests) || { log "the work tree does not build"; exit 1; }
    JAR[$i]=$BENCH_ROOT/target/quarkus-app/quarkus-run.jar
    NAME[$i]="$(git -C "$BENCH_ROOT" rev-parse --short HEAD)$(git -C "$BENCH_ROOT" diff --quiet HEAD -- src pom.xml || echo +changes)"
    OWNER[$i]=genledger_owner
    continue
  fi
  log "building $rev"
  git -C "$BENCH_ROOT" worktree add -q --detach "$WORK/src$i" "$rev" >&2
  (cd "$WORK/src$i" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -ntp package -DskipTests >&2) || { log "$rev does not build"; exit 1; }
  JAR[$i]=$WORK/src$i/target/quarkus-app/quarkus-run.jar
  NAME[$i]=$(git -C "$BENCH_ROOT" rev-parse --short "$rev")
  # Versions before db/roles.sql ran their migrations as the service's role, which then owns its
  # database; later ones as the schema owner.
  OWNER[$i]=genledger_owner
  git -C "$BENCH_ROOT" cat-file -e "$rev:src/main/resources/db/roles.sql" 2>/dev/null || OWNER[$i]=genledger
done

pg_start "max_connections = $((40 * N + 40))"
port_of() { echo $((APP_PORT + $1)); }
mgmt_of() { echo $((MGMT_PORT + $1)); }
URL=jdbc:postgresql://127.0.0.1:$PG_PORT
for i in $SIDES; do
  sql "CREATE DATABASE v$i OWNER ${OWNER[$i]}" >/dev/null
  PG_DB=v$i psql_db -f - < "$BENCH_ROOT/src/main/resources/db/roles.sql" >/dev/null
  APP_PORT=$(port_of "$i") MGMT_PORT=$(mgmt_of "$i") APP_LOG=$WORK/app$i.log BENCH_JAR=${JAR[$i]} \
    app_start jvm "$URL/v$i" QUARKUS_FLYWAY_USERNAME="${OWNER[$i]}"
  PID[$i]=$APP_PID
done
for i in $SIDES; do
  APP_PORT=$(port_of "$i") MGMT_PORT=$(mgmt_of "$i") APP_PID=${PID[$i]} APP_LOG=$WORK/app$i.log APP_T0=0 \
    app_wait_ready 300 >/dev/null
done
APP_PID=""
log "every version migrated; seeding $USERS users in each"
lots_of() {   # 1 where the schema has lots, 0 before them
  [ "$(PG_DB=$1 sql "SELECT count(*) FROM pg_tables WHERE tablename = 'credit_lots'")" = 1 ] && echo 1 || echo 0
}
for i in $SIDES; do PG_DB=v$i seed_users "$USERS" 1000000000000 "$(lots_of "v$i")"; done
TOKEN=$(token service)

load() { spend_load "$(port_of "$1")" "$2" "$3" "$4"; }   # load <side> <mode> <seconds> <prefix>

measured() {   # measured <side> <mode> <round>: one row with CPU per spend
  local side=$1 mode=$2 round=$3 pid s0 p0 r0 out
  pid=${PID[$side]}
  s0=$(cpu_ticks "$pid"); p0=$(pg_ticks); r0=$(PG_DB=v$side ledger_rows)
  out=$(load "$side" "$mode" "$SECONDS_PER" "r$round$mode")
  jq -c --argjson side "$side" --arg version "${NAME[$side]}" --arg mode "$mode" --argjson round "$round" \
     --argjson svc "$(ticks_ms $(($(cpu_ticks "$pid") - s0)))" --argjson pg "$(ticks_ms $(($(pg_ticks) - p0)))" \
     --argjson spends "$(($(PG_DB=v$side ledger_rows) - r0))" --arg la "$(cut -d' ' -f1 /proc/loadavg)" '
    if .s2xx == 0 then error("\($version) \($mode): no spend succeeded (\(.s4xx) 4xx, \(.s5xx) 5xx)") else . end |
    {side: $side, version: $version, scenario: (if $mode == "spend" then "uncontended" else $mode end), round: $round,
     rps, p50_ms, p99_ms, s2xx, s4xx, s5xx, spends: $spends,
     service_cpu_ms_per_spend: (($svc / $spends * 1000 | round) / 1000),
     pg_cpu_ms_per_spend: (($pg / $spends * 1000 | round) / 1000), loadavg: ($la | tonumber)}' <<< "$out" >> "$ROWS"
  log "round $round ${NAME[$side]} $mode: $(tail -1 "$ROWS" | jq -r '"\(.rps | round) req/s, service \(.service_cpu_ms_per_spend) ms/spend"')"
}

# A version is warm after at least six windows once two in a row are within 3 %, but every version
# takes windows until all are warm: one that settled early could have settled on a plateau of its JIT.
declare -A prev=() warm=()
for i in $SIDES; do prev[$i]=0; done
windows=0
while [ "${#warm[@]}" -lt "$N" ] && [ "$windows" -lt 24 ]; do
  windows=$((windows + 1))
  for i in $SIDES; do
    rps=$(load "$i" spend 10 "w$i" | jq .rps)
    log "warm-up window $windows, ${NAME[$i]}: $rps req/s"
    [ "$windows" -ge 6 ] && settled "${prev[$i]}" "$rps" && warm[$i]=1
    prev[$i]=$rps
  done
done
for i in $SIDES; do load "$i" hot 10 "wh$i" >/dev/null; done

for round in $(seq 1 "$ROUNDS"); do
  order=$SIDES; [ $((round % 2)) = 0 ] && order=$(tac <<< "$SIDES")
  for i in $order; do measured "$i" spend "$round"; measured "$i" hot "$round"; done
done

jq -s --arg stamp "$STAMP" --argjson secs "$SECONDS_PER" --argjson w "$windows" \
   --arg machine "$(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" '
  def mean(f): (map(f) | add / length);
  def r3: (. * 1000 | round) / 1000;
  {date: $stamp, machine: $machine, versions: [group_by(.side)[] | .[0].version],
   seconds_per_row: $secs, clients: 64, warmup_windows_of_10s: $w,
   rows: .,
   summary: [group_by(.scenario)[] | (group_by(.side) | map({side: .[0].side, version: .[0].version, scenario: .[0].scenario,
       rps: mean(.rps), service_cpu_ms: mean(.service_cpu_ms_per_spend), pg_cpu_ms: mean(.pg_cpu_ms_per_spend)})) as $v |
     range(0; $v | length) as $k |
     $v[$k] + {vs_first: ($v[$k].rps / $v[0].rps | r3), vs_previous: ($v[$k].rps / $v[[$k - 1, 0] | max].rps | r3)} |
     .rps |= round | .service_cpu_ms |= r3 | .pg_cpu_ms |= r3]}' "$ROWS" > "$OUT/compare-$STAMP.json"
jq -r '"genledger \(.versions | join(", ")), \(.date) on \(.machine): \(.clients) clients, \(.seconds_per_row) s a row, warm after \(.warmup_windows_of_10s) × 10 s",
  "",
  "| round | version | scenario | req/s | p50 ms | p99 ms | service CPU ms/spend | PG CPU ms/spend | 4xx | 5xx | load avg |",
  "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.rows[] | "| \(.round) | \(.version) | \(.scenario) | \(.rps | round) | \(.p50_ms) | \(.p99_ms) | \(.service_cpu_ms_per_spend) | \(.pg_cpu_ms_per_spend) | \(.s4xx) | \(.s5xx) | \(.loadavg) |"),
  "",
  "| scenario | version | req/s | against the first | against the one before | service CPU ms/spend | PG CPU ms/spend |",
  "|---|---|---:|---:|---:|---:|---:|",
  (.summary[] | "| \(.scenario) | \(.version) | \(.rps) | \(.vs_first) | \(.vs_previous) | \(.service_cpu_ms) | \(.pg_cpu_ms) |")' \
  "$OUT/compare-$STAMP.json"
echo; echo "results: bench/results/compare-$STAMP.json"
