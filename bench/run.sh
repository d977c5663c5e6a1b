#!/usr/bin/env bash
# genledger benchmark: one command, prints a table, writes bench/results/<stamp>.{json,csv}.
#   bench/run.sh                 (BENCH_SECONDS=20 per scenario, BENCH_USERS=10000)
#   BENCH_FLEET=0 bench/run.sh   (without the fleet rows of bench/fleet.sh, which follow by default)
# Starts its own PostgreSQL 15 and the production jar (and the native binary when one is built:
# target/*-runner or BENCH_NATIVE=path), seeds users, warms up, then measures with wrk
# (bench/lua/genledger.lua) and pgbench (bench/spend.pgbench) against the same database.
# Needs: wrk, jq, PostgreSQL 15 server (apt-get install -y wrk jq postgresql-15), a JDK, root.
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
SECONDS_PER=${BENCH_SECONDS:-20}
USERS=${BENCH_USERS:-10000}
THREADS=${BENCH_WRK_THREADS:-2}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
mkdir -p "$OUT"
ROWS="$WORK/rows.jsonl"
: > "$ROWS"

[ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)


wrk_run() {   # wrk_run <name> <mode> <clients> [seconds]
  local name=$1 mode=$2 c=$3 s=${4:-$SECONDS_PER} out s0 p0
  log "wrk $name: $mode, $c clients, ${s}s"
  s0=$(cpu_ticks "$APP_PID"); p0=$(pg_ticks)
  # The name goes into Idempotency-Key, which refuses spaces and commas ("uncontended, three lots"
  # answered 400 to every spend).
  out=$(wrk -t "$THREADS" -c "$c" -d "${s}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" \
        "http://127.0.0.1:$APP_PORT" -- "$mode" "$TOKEN" "$USERS" "$(tr -c 'A-Za-z0-9' - <<< "$name")$STAMP" | sed -n 's/^RESULT //p')
  [ -n "$out" ] || { log "wrk produced no result"; return 1; }
  # CPU per request of the service process and of the whole PostgreSQL server over the run.
  out=$(jq -c --argjson svc "$(ticks_ms $(($(cpu_ticks "$APP_PID") - s0)))" --argjson pg "$(ticks_ms $(($(pg_ticks) - p0)))" \
        '. + {svc_cpu_ms: (if .requests > 0 then ($svc / .requests * 1000 | round) / 1000 else null end),
              pg_cpu_ms: (if .requests > 0 then ($pg / .requests * 1000 | round) / 1000 else null end)}' <<< "$out")
  [ "$name" = warmup ] || row --arg n "$name" --argjson c "$c" '. + {scenario: $n, clients: $c}' "$out"
  echo "$out"
}

pgbench_run() {   # pgbench_run <clients>: throughput, and latency percentiles from the per-transaction log
  local c=$1 tps lat p0
  log "pgbench: spend SQL, $c clients, ${SECONDS_PER}s"
  rm -f "$WORK"/pgbench_log.*
  p0=$(pg_ticks)
  tps=$(runuser -u postgres -- "$PG_BIN/pgbench" -h "$WORK" -p "$PG_PORT" -U genledger -n -M prepared \
        -c "$c" -j "$THREADS" -T "$SECONDS_PER" -D users="$USERS" -f "$BENCH_ROOT/bench/spend.pgbench" \
        -l --log-prefix="$WORK/pgbench_log" postgres 2>/dev/null | awk '/^tps/ {print $3; exit}')
  # The log's third column is the transaction's latency in microseconds.
  lat=$(cat "$WORK"/pgbench_log.* | awk '{print $3 / 1000}' | sort -n | awk '{v[NR] = $1}
        END {printf "{\"p50_ms\": %.2f, \"p95_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}",
             v[int(NR * 0.50)], v[int(NR * 0.95)], v[int(NR * 0.99)], v[NR]}')
  row --arg c "$c" --argjson tps "$tps" --argjson pg "$(ticks_ms $(($(pg_ticks) - p0)))" --argjson s "$SECONDS_PER" \
    '. + {scenario: "pgbench spend SQL", clients: ($c | tonumber), rps: $tps, pg_cpu_ms: (($pg / ($tps * $s) * 1000 | round) / 1000)}' "$lat"
  echo "$tps"
}

row() {   # row [jq options] <filter> [json input]: appends one result row
  local input='{}' last=${!#}
  if [ $# -ge 2 ] && [[ $last == \{* ]]; then input=$last; set -- "${@:1:$#-1}"; fi
  jq -c "$@" <<< "$input" >> "$ROWS"
}

startup() {   # startup <jvm|native>: time to first ready probe, RSS idle (after 5 s)
  local mode=$1 ms
  app_start "$mode"
  ms=$(app_wait_ready)
  sleep 5
  STARTUP_MS=$ms; RSS_IDLE=$(rss_mb)
  log "$mode: ready in ${ms} ms, RSS idle ${RSS_IDLE} MB"
}

metric() { curl -s "localhost:$MGMT_PORT/q/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {printf "%.0f", s}'; }

LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)
pg_start
log "migrating (first start of the service), then seeding $USERS users with a quiz each"
app_start jvm; app_wait_ready >/dev/null; app_stop
seed_users "$USERS" 1000000000000
seed_users "$USERS" 1000000000000 3 $((USERS + 1))   # the three-lot users of the "three lots" row
seed_quizzes "$USERS"
TOKEN=$(token service)
ADMIN=$(token admin)

startup jvm
JVM_STARTUP=$STARTUP_MS JVM_IDLE=$RSS_IDLE

# Warm-up until the JIT has settled: 10 s windows of spends until two in a row are within 3 % (on a
# slow 2-core machine that took two minutes: the service's CPU per spend fell threefold meanwhile),
# then the hot and the read paths too.
# The windows' rates are the warm-up curve of a fresh replica, printed under the table.
WARMUP_WINDOWS=0 prev=0 JVM_CURVE=""
while [ "$WARMUP_WINDOWS" -lt "${BENCH_WARMUP_WINDOWS:-24}" ]; do
  WARMUP_WINDOWS=$((WARMUP_WINDOWS + 1))
  rps=$(wrk_run warmup spend 64 10 | jq .rps)
  JVM_CURVE="$JVM_CURVE $(printf '%.0f' "$rps")"
  log "warm-up window $WARMUP_WINDOWS: $rps req/s"
  settled "$prev" "$rps" && break
  prev=$rps
done
wrk_run warmup hot 64 10 >/dev/null
wrk_run warmup mixed 64 20 >/dev/null
sql "SELECT pg_stat_statements_reset()" >/dev/null

PGB16=$(pgbench_run 16)
PGB64=$(pgbench_run 64)
BASE=$(jq -n "[$PGB16, $PGB64] | max")

for c in 16 64 128; do wrk_run "uncontended" spend "$c" >/dev/null; done
wrk_run "uncontended, three lots" lots3 64 >/dev/null
retries0=$(metric genledger_db_retries_total)
batches0=$(metric genledger_credits_batch_size_count); ops0=$(metric genledger_credits_batch_size_sum)
wrk_run hot hot 64 >/dev/null
retries1=$(metric genledger_db_retries_total)
batches1=$(metric genledger_credits_batch_size_count); ops1=$(metric genledger_credits_batch_size_sum)
wrk_run mixed mixed 64 >/dev/null
JVM_LOADED=$(rss_mb)

RECON=$(curl -s "localhost:$APP_PORT/v1/admin/reconciliation" -H "Authorization: Bearer $ADMIN" | jq -c '{checked, mismatches: (.mismatches | length)}')
sql "SELECT calls, round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8" > "$WORK/pg_stat_statements.txt"
app_stop

NATIVE_STARTUP=null NATIVE_IDLE=null NATIVE_LOADED=null NATIVE_CURVE=""
if native_binary >/dev/null; then
  startup native
  NATIVE_STARTUP=$STARTUP_MS NATIVE_IDLE=$RSS_IDLE
  for _ in 1 2 3; do NATIVE_CURVE="$NATIVE_CURVE $(wrk_run warmup spend 64 10 | jq -r '.rps | round')"; done
  wrk_run native-uncontended spend 64 >/dev/null
  NATIVE_LOADED=$(rss_mb)
  app_stop
fi

LOADAVG="$LOADAVG0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
jq -s --arg stamp "$STAMP" --arg machine "$MACHINE" --arg loadavg "$LOADAVG" --argjson base "$BASE" --argjson secs "$SECONDS_PER" \
  --argjson users "$USERS" --argjson recon "$RECON" --argjson warmup "$WARMUP_WINDOWS" \
  --argjson hot_batches "$((batches1 - batches0))" --argjson hot_ops "$((ops1 - ops0))" \
  --argjson hot_retries "$((retries1 - retries0))" \
  --argjson js "$JVM_STARTUP" --argjson ji "$JVM_IDLE" --argjson jl "$JVM_LOADED" \
  --argjson ns "$NATIVE_STARTUP" --argjson ni "$NATIVE_IDLE" --argjson nl "$NATIVE_LOADED" \
  --argjson jc "[$(tr ' ' , <<< "${JVM_CURVE# }")]" --argjson nc "[$(tr ' ' , <<< "${NATIVE_CURVE# }")]" '
  (map(select(.scenario == "uncontended" and .clients == 64)) | .[0].rps) as $unc |
  {date: $stamp, machine: $machine, loadavg: $loadavg, seconds_per_scenario: $secs, users: $users, pgbench_baseline_tps: $base,
   warmup_windows_of_10s: $warmup,
   scenarios: map(. + {vs_pgbench: ((.rps / $base * 100 | round) / 100)}),
   hot_user: {batches: $hot_batches, operations: $hot_ops, mean_batch: (if $hot_batches > 0 then ($hot_ops / $hot_batches * 10 | round) / 10 else null end),
              db_retries: $hot_retries,
              vs_uncontended_64: ((map(select(.scenario == "hot")) | .[0].rps) / $unc * 100 | round / 100)},
   startup: {jvm: {ready_ms: $js, rss_idle_mb: $ji, rss_after_load_mb: $jl, first_windows_of_10s_rps: $jc},
             native: {ready_ms: $ns, rss_idle_mb: $ni, rss_after_load_mb: $nl, first_windows_of_10s_rps: $nc}},
   reconciliation: $recon}' "$ROWS" > "$OUT/$STAMP.json"
jq -r '(["scenario","clients","rps","vs_pgbench","p50_ms","p95_ms","p99_ms","max_ms","2xx","4xx","5xx","svc_cpu_ms","pg_cpu_ms"] | @csv),
       (.scenarios[] | [.scenario, .clients, .rps, .vs_pgbench, .p50_ms, .p95_ms, .p99_ms, .max_ms, .s2xx, .s4xx, .s5xx, .svc_cpu_ms, .pg_cpu_ms] | @csv)' \
  "$OUT/$STAMP.json" > "$OUT/$STAMP.csv"

jq -r '"genledger benchmark \(.date) on \(.machine), \(.seconds_per_scenario) s per scenario, \(.users) users, warm after \(.warmup_windows_of_10s) × 10 s",
  "",
  "| scenario | clients | req/s | × pgbench | p50 ms | p95 ms | p99 ms | max ms | 2xx | 4xx | 5xx | service CPU ms/req | PG CPU ms/req |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.scenarios[] | "| \(.scenario) | \(.clients) | \(.rps | round) | \(.vs_pgbench) | \(.p50_ms // "") | \(.p95_ms // "") | \(.p99_ms // "") | \(.max_ms // "") | \(.s2xx // "") | \(.s4xx // "") | \(.s5xx // "") | \(.svc_cpu_ms // "") | \(.pg_cpu_ms // "") |"),
  "",
  "load average: \(.loadavg)",
  "",
  "hot user: \(.hot_user.vs_uncontended_64) × uncontended (64 clients); \(.hot_user.operations) operations in \(.hot_user.batches) transactions (mean batch \(.hot_user.mean_batch)); \(.hot_user.db_retries) database retries",
  "",
  "| startup | ready ms | RSS idle MB | RSS after load MB |",
  "|---|---:|---:|---:|",
  "| JVM | \(.startup.jvm.ready_ms) | \(.startup.jvm.rss_idle_mb) | \(.startup.jvm.rss_after_load_mb) |",
  "| native | \(.startup.native.ready_ms // "not built") | \(.startup.native.rss_idle_mb // "-") | \(.startup.native.rss_after_load_mb // "-") |",
  "",
  "a fresh replica, spends/s in 10 s windows of 64 clients, from 5 s after its first ready probe:",
  "  JVM     \(.startup.jvm.first_windows_of_10s_rps | map(tostring) | join(" "))",
  "  native  \(if .startup.native.ready_ms then (.startup.native.first_windows_of_10s_rps | map(tostring) | join(" ")) else "not built" end)",
  "",
  "reconciliation after the run: \(.reconciliation.checked) users checked, \(.reconciliation.mismatches) mismatches"' "$OUT/$STAMP.json"
echo
echo "top statements (pg_stat_statements, calls / mean ms):"; cat "$WORK/pg_stat_statements.txt"
echo; echo "results: bench/results/$STAMP.json, bench/results/$STAMP.csv"

# The fleet rows (1, 2 and 3 replicas behind HAProxy, in one run of their own): bench/fleet.sh.
if [ "${BENCH_FLEET:-1}" != 0 ]; then
  echo; env -u WORK "$BENCH_ROOT/bench/fleet.sh"
fi
