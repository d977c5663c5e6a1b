#!/usr/bin/env bash
# Warm-up of a fresh replica: one command, prints a table, writes bench/results/warmup-<stamp>.json.
#   bench/warmup.sh                        (WARMUP_SECONDS=60 of load per variant, WARMUP_USERS=10000)
#   WARMUP_VARIANTS="jvm native" bench/warmup.sh
# One PostgreSQL 15, seeded once; then, for each variant, a fresh process on it: from its first ready
# probe on, wrk spends (64 clients, random users, bench/lua/genledger.lua) for WARMUP_SECONDS while the
# committed spends are counted every 2 s (the ledger's sequence), so the curve starts with the first
# request the replica could take. Per variant: ready ms, the curve, steady throughput (the mean of the
# last 10 s), time to 90 % of it (the end of the first window that, with the next one, is at 90 % or
# more), service and PostgreSQL CPU per spend over the last 20 s, and the load average around it.
# Variants:
#   jvm          the production fast-jar (target/quarkus-app), no cache
#   aot-startup  the aot-jar build (target/quarkus-app-aot, -Dquarkus.package.jar.aot.enabled=true)
#                with an AOT cache recorded by a run that stops after startup (-Dquarkus.appcds.generate,
#                what Quarkus's own build-time training does): all an image build can do without a database
#   aot-trained  the same jar with an AOT cache (JDK 25, JEP 483/514/515) recorded by a training run
#                of WARMUP_TRAIN_SECONDS (30) of the same spend load on this database: loaded and
#                linked classes plus the method profiles of the spend path
#   native       target/*-runner (or BENCH_NATIVE), when built
# Ports 19900-19999 by default (PG_PORT 19932, APP_PORT 19980, MGMT_PORT 19990).
# Needs: wrk, jq, PostgreSQL 15 server (apt-get install -y wrk jq postgresql-15), JDK 25, root.
PG_PORT=${PG_PORT:-19932} APP_PORT=${APP_PORT:-19980} MGMT_PORT=${MGMT_PORT:-19990}
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
DURATION=${WARMUP_SECONDS:-60}
TRAIN=${WARMUP_TRAIN_SECONDS:-30}
USERS=${WARMUP_USERS:-10000}
CLIENTS=${WARMUP_CLIENTS:-64}
WINDOW=2
JAR=$BENCH_ROOT/target/quarkus-app/quarkus-run.jar
AOT_APP=${WARMUP_AOT_APP:-$BENCH_ROOT/target/quarkus-app-aot}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
ROWS="$WORK/warmup-rows.jsonl"
mkdir -p "$OUT"; : > "$ROWS"

VARIANTS=${WARMUP_VARIANTS:-jvm aot-startup aot-trained native}
[ -f "$JAR" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)
if [[ " $VARIANTS " == *" aot-"* ]] && [ ! -f "$AOT_APP/quarkus-run.jar" ]; then
  log "building the aot-jar into $AOT_APP"
  (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests -Dquarkus.package.jar.aot.enabled=true \
     -Dquarkus.package.output-directory="$(basename "$AOT_APP")")
fi
native_binary >/dev/null || VARIANTS=${VARIANTS/native/}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

spend_load() {   # spend_load <seconds> <prefix>: wrk in the background, pid in LOAD_PID
  wrk -t 2 -c "$CLIENTS" -d "${1}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" \
    "http://127.0.0.1:$APP_PORT" -- spend "$TOKEN" "$USERS" "$2-$STAMP" > "$WORK/wrk-$2.out" 2>&1 &
  LOAD_PID=$!
}

train() {   # train: records $WORK/trained.aot from a run of the aot-jar under the spend load
  log "training run: ${TRAIN}s of spends, then the cache is written at exit"
  BENCH_JAR=$AOT_APP/quarkus-run.jar BENCH_JAVA_OPTS="-XX:AOTCacheOutput=$WORK/trained.aot" app_start jvm
  app_wait_ready 180 >/dev/null
  spend_load "$TRAIN" train; wait "$LOAD_PID"
  # The JVM writes the cache on its way out (a second JVM assembles it): give it time, no SIGKILL.
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  [ -s "$WORK/trained.aot" ] || { log "the training run wrote no AOT cache"; tail -20 "$WORK/app.log" >&2; return 1; }
  log "AOT cache: $(du -m "$WORK/trained.aot" | cut -f1) MB"
}

train_startup() {   # train_startup: records $WORK/startup.aot from a start that exits after static init
  log "startup-only training run"
  "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$WORK/startup.aot" -Dquarkus.appcds.generate=true \
    -jar "$AOT_APP/quarkus-run.jar" > "$WORK/train-startup.log" 2>&1
  [ -s "$WORK/startup.aot" ] || { log "the startup run wrote no AOT cache"; tail -20 "$WORK/train-startup.log" >&2; return 1; }
}

measure() {   # measure <variant>: one fresh replica, one row
  local v=$1 mode=jvm jar=$JAR opts="" ready t0 next now rows prev ticks_at=$((DURATION - 20)) rates=() \
        s0=0 p0=0 r0=0 s1 p1 r1 la0 i=0
  case $v in
    jvm) ;;
    aot-startup) jar=$AOT_APP/quarkus-run.jar opts="-XX:AOTCache=$WORK/startup.aot" ;;
    aot-trained) jar=$AOT_APP/quarkus-run.jar opts="-XX:AOTCache=$WORK/trained.aot" ;;
    native) mode=native ;;
  esac
  la0=$(loadavg)
  # AOTMode=on: a cache the JVM refused (another JDK, another class path) would otherwise silently
  # measure a run without one; this way the JVM does not start.
  BENCH_JAR=$jar BENCH_JAVA_OPTS="$opts${opts:+ -XX:AOTMode=on}" app_start "$mode"
  ready=$(app_wait_ready 180)
  spend_load "$DURATION" "$v"
  t0=$(date +%s%N); prev=$(ledger_rows); next=$t0
  while [ $((i * WINDOW)) -lt "$DURATION" ]; do
    i=$((i + 1)); next=$((t0 + i * WINDOW * 1000000000)); now=$(date +%s%N)
    [ "$now" -lt "$next" ] && sleep "$(awk -v d=$((next - now)) 'BEGIN {printf "%.3f", d / 1e9}')"
    rows=$(ledger_rows)
    rates+=("$(( (rows - prev) / WINDOW ))"); prev=$rows
    if [ $((i * WINDOW)) -eq "$ticks_at" ]; then s0=$(cpu_ticks "$APP_PID"); p0=$(pg_ticks); r0=$rows; fi
  done
  s1=$(cpu_ticks "$APP_PID"); p1=$(pg_ticks); r1=$(ledger_rows)
  wait "$LOAD_PID" || true
  local rss; rss=$(rss_mb)
  app_stop
  jq -cn --arg v "$v" --argjson ready "$ready" --arg rates "${rates[*]}" --argjson w "$WINDOW" \
     --argjson svc "$(ticks_ms $((s1 - s0)))" --argjson pg "$(ticks_ms $((p1 - p0)))" --argjson spends "$((r1 - r0))" \
     --argjson la0 "$la0" --argjson la1 "$(loadavg)" --argjson rss "$rss" '
    ($rates | split(" ") | map(tonumber)) as $r | ($r[-5:] | add / length) as $steady |
    ([range(0; $r | length) | select($r[.] >= 0.9 * $steady and (($r[. + 1] // $r[.]) >= 0.9 * $steady))] | first) as $k |
    {variant: $v, ready_ms: $ready, windows_per_s: $r, steady_per_s: ($steady | round),
     first_10s_per_s: ($r[:5] | add / length | round),
     to_90pct_s: (if $k == null then null else ($k + 1) * $w end),
     service_cpu_ms_per_spend: (if $spends > 0 then ($svc / $spends * 1000 | round) / 1000 else null end),
     pg_cpu_ms_per_spend: (if $spends > 0 then ($pg / $spends * 1000 | round) / 1000 else null end),
     rss_after_mb: $rss, loadavg_before: $la0, loadavg_after: $la1}' >> "$ROWS"
  log "$v: ready ${ready} ms, $(tail -1 "$ROWS" | jq -r '"steady \(.steady_per_s)/s, 90 % after \(.to_90pct_s) s"')"
}

pg_start
log "migrating (first start of the service), then seeding $USERS users"
app_start jvm; app_wait_ready 180 >/dev/null; app_stop
seed_users "$USERS" 1000000000000
TOKEN=$(token service)
if [[ " $VARIANTS " == *" aot-startup "* ]]; then train_startup; fi
if [[ " $VARIANTS " == *" aot-trained "* ]]; then train; fi
for v in $VARIANTS; do measure "$v"; done

MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
jq -s --arg stamp "$STAMP" --arg machine "$MACHINE" --argjson secs "$DURATION" --argjson clients "$CLIENTS" \
   --argjson train "$TRAIN" '{date: $stamp, machine: $machine, seconds: $secs, clients: $clients,
   training_seconds: $train, window_s: 2, variants: .}' "$ROWS" > "$OUT/warmup-$STAMP.json"
jq -r '"genledger warm-up \(.date) on \(.machine): \(.clients) clients of spends from the first ready probe, \(.seconds) s, 2 s windows",
  "",
  "| variant | ready ms | first 10 s /s | steady /s (last 10 s) | 90 % after s | service CPU ms/spend | PG CPU ms/spend | RSS MB | load avg |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  (.variants[] | "| \(.variant) | \(.ready_ms) | \(.first_10s_per_s) | \(.steady_per_s) | \(.to_90pct_s // "never") | \(.service_cpu_ms_per_spend) | \(.pg_cpu_ms_per_spend) | \(.rss_after_mb) | \(.loadavg_before) → \(.loadavg_after) |"),
  "",
  "spends/s in 2 s windows after the first ready probe:",
  (.variants[] | "  \(.variant | .+ "            " | .[:12]) \(.windows_per_s | map(tostring) | join(" "))"),
  "",
  (.variants | (map(select(.variant == "jvm")) | .[0]) as $j | if $j == null then empty else
     (.[] | select(.variant != "jvm") | "\(.variant) against jvm: first 10 s \((.first_10s_per_s / $j.first_10s_per_s * 100 | round) / 100) ×, steady \((.steady_per_s / $j.steady_per_s * 100 | round) / 100) ×") end)' \
  "$OUT/warmup-$STAMP.json"
echo; echo "results: bench/results/warmup-$STAMP.json"
