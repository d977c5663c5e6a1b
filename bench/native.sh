#!/usr/bin/env bash
# Native binary against the JVM at steady state: one command, prints a table, writes
# bench/results/native-<stamp>.json.
#   bench/native.sh                          (NATIVE_SECONDS=20 per row, NATIVE_USERS=10000)
#   NATIVE_VARIANTS=$'default||\nyoung 256m|-Xmn256m|' bench/native.sh
# One PostgreSQL 15, seeded once. The production jar is warmed up (10 s windows of spends, at least
# six, until two in a row are within 3 %) and measured; it then stays up, idle, while each native variant runs on
# its own ports (a fresh process, 10 s of load, then the measured row), and the JVM is measured again
# after each, so every native row has a JVM row on either side: the machine's drift during the run
# shows as the spread of the JVM rows, and falls on a native row's neighbours alike. Every row: 64
# clients of uncontended spends (bench/lua/genledger.lua), req/s, p50/p99, service and PostgreSQL
# CPU per spend over the measured window, RSS, load average, × the mean of the JVM rows, and for a
# native row × the mean of the two JVM rows beside it.
# NATIVE_VARIANTS: one variant a line, "name|options after the binary|environment assignments|binary"
# (the binary defaults to target/*-runner or BENCH_NATIVE: another build, e.g. other build options).
# Ports 19900-19999 by default. Needs: wrk, jq, PostgreSQL 15 server, JDK 25, a native build
# (target/*-runner or BENCH_NATIVE), root.
PG_PORT=${PG_PORT:-19933} APP_PORT=${APP_PORT:-19981} MGMT_PORT=${MGMT_PORT:-19991}
APP2_PORT=${APP2_PORT:-19982} MGMT2_PORT=${MGMT2_PORT:-19992}
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
SECONDS_PER=${NATIVE_SECONDS:-20}
USERS=${NATIVE_USERS:-10000}
CLIENTS=${NATIVE_CLIENTS:-64}
VARIANTS=${NATIVE_VARIANTS:-"default||"}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
ROWS="$WORK/native-rows.jsonl"
mkdir -p "$OUT"; : > "$ROWS"
[ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)
native_binary >/dev/null || { log "no native build: ./mvnw package -Dnative (or BENCH_NATIVE=path)"; exit 1; }

spends() { spend_load "$1" spend "$2" "$3" "$CLIENTS"; }   # spends <port> <seconds> <prefix>

measured() {   # measured <name> <pid> <port>: one row of SECONDS_PER s with CPU per spend
  local name=$1 pid=$2 port=$3 s0 p0 r0 la0 out
  la0=$(cut -d' ' -f1 /proc/loadavg); s0=$(cpu_ticks "$pid"); p0=$(pg_ticks); r0=$(ledger_rows)
  out=$(spends "$port" "$SECONDS_PER" "$name")
  jq -c --arg n "$name" --argjson svc "$(ticks_ms $(($(cpu_ticks "$pid") - s0)))" \
     --argjson pg "$(ticks_ms $(($(pg_ticks) - p0)))" --argjson spends "$(($(ledger_rows) - r0))" \
     --argjson rss "$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")" \
     --argjson la0 "$la0" --argjson la1 "$(cut -d' ' -f1 /proc/loadavg)" '
    if .s2xx == 0 then error("\($n): no spend succeeded (\(.s4xx) 4xx, \(.s5xx) 5xx)") else . end |
    {variant: $n, rps, p50_ms, p99_ms, s2xx, s4xx, s5xx, spends: $spends,
     service_cpu_ms_per_spend: (($svc / $spends * 1000 | round) / 1000),
     pg_cpu_ms_per_spend: (($pg / $spends * 1000 | round) / 1000),
     rss_mb: $rss, loadavg_before: $la0, loadavg_after: $la1}' <<< "$out" >> "$ROWS"
  log "$name: $(tail -1 "$ROWS" | jq -r '"\(.rps | round) req/s, service \(.service_cpu_ms_per_spend) ms/spend"')"
}

pg_start
log "migrating (first start of the service), then seeding $USERS users"
app_start jvm; app_wait_ready 180 >/dev/null; app_stop
seed_users "$USERS" 1000000000000
TOKEN=$(token service)

app_start jvm; app_wait_ready 180 >/dev/null
windows=0 prev=0
while [ "$windows" -lt "${NATIVE_JVM_WARMUP_WINDOWS:-18}" ]; do
  windows=$((windows + 1)); rps=$(spends "$APP_PORT" 10 warmup | jq .rps)
  log "JVM warm-up window $windows: $rps req/s"
  # At least NATIVE_JVM_MIN_WINDOWS (6): on a starved machine two cold windows can be alike.
  [ "$windows" -ge "${NATIVE_JVM_MIN_WINDOWS:-6}" ] &&
    settled "$prev" "$rps" && break
  prev=$rps
done
measured jvm "$APP_PID" "$APP_PORT"

while IFS='|' read -r name opts envs binary; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086  # options and assignments are word lists
  BENCH_NATIVE=${binary:-$(native_binary)} BENCH_NATIVE_OPTS="$opts" as_app2 app_start native "" $envs
  as_app2 app_wait_ready 60 >/dev/null
  spends "$APP2_PORT" 10 "warm-$name" >/dev/null
  measured "native $name" "$APP2_PID" "$APP2_PORT"
  app2_stop
  measured "jvm (after $name)" "$APP_PID" "$APP_PORT"
done <<< "$VARIANTS"
app_stop

jq -s --arg stamp "$STAMP" --argjson secs "$SECONDS_PER" --argjson clients "$CLIENTS" --argjson w "$windows" \
   --arg machine "$(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" '
  (map(select(.variant | startswith("jvm"))) | map(.rps) | add / length) as $jvm |
  {date: $stamp, machine: $machine, seconds_per_row: $secs, clients: $clients, jvm_warmup_windows_of_10s: $w,
   jvm_mean_rps: $jvm,
   rows: (. as $r | [range(length) as $i | $r[$i] + {vs_jvm: (($r[$i].rps / $jvm * 100 | round) / 100)} +
     (if ($r[$i].variant | startswith("jvm")) then {} else
       {vs_jvm_beside: (($r[$i].rps * 2 / ($r[$i - 1].rps + $r[$i + 1].rps) * 100 | round) / 100)} end)])}' \
  "$ROWS" > "$OUT/native-$STAMP.json"
jq -r '"genledger native vs JVM \(.date) on \(.machine): \(.clients) clients of spends, \(.seconds_per_row) s a row, JVM warm after \(.jvm_warmup_windows_of_10s) × 10 s",
  "",
  "| variant | req/s | × JVM | × JVM beside | p50 ms | p99 ms | service CPU ms/spend | PG CPU ms/spend | RSS MB | 4xx | 5xx | load avg |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  (.rows[] | "| \(.variant) | \(.rps | round) | \(.vs_jvm) | \(.vs_jvm_beside // "") | \(.p50_ms) | \(.p99_ms) | \(.service_cpu_ms_per_spend) | \(.pg_cpu_ms_per_spend) | \(.rss_mb) | \(.s4xx) | \(.s5xx) | \(.loadavg_before) → \(.loadavg_after) |")' \
  "$OUT/native-$STAMP.json"
echo; echo "results: bench/results/native-$STAMP.json"
