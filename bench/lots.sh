#!/usr/bin/env bash
# Credit lots on the spend path: spends of users holding one lot and of users holding three
# (promotional expiring, paid expiring, paid forever), in one run of the service, and, when
# BENCH_BEFORE is a checkout of the code before lots (built: target/quarkus-app), the same spend
# row on it first, on a database of its own. Prints a table; the ratios are within this run.
#   BENCH_BEFORE=/path/to/checkout bench/lots.sh     (BENCH_SECONDS=20, BENCH_USERS=10000, 64 clients)
# Needs what bench/run.sh needs (wrk, jq, PostgreSQL 15, a JDK, root).
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
SECONDS_PER=${BENCH_SECONDS:-20}
USERS=${BENCH_USERS:-10000}
CLIENTS=${BENCH_CLIENTS:-64}
WINDOWS=${BENCH_WARMUP_WINDOWS:-6}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
ROOT=$BENCH_ROOT
ROWS="$WORK/rows.jsonl"
: > "$ROWS"

[ -f "$ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$ROOT" && ./mvnw -q -B -ntp package -DskipTests)

measure() {   # measure <row name> <wrk mode>: one row of the table
  local out
  log "wrk $1: $2, $CLIENTS clients, ${SECONDS_PER}s"
  out=$(wrk -t 2 -c "$CLIENTS" -d "${SECONDS_PER}s" --timeout 10s -s "$ROOT/bench/lua/genledger.lua" \
        "http://127.0.0.1:$APP_PORT" -- "$2" "$TOKEN" "$USERS" "$2-$RANDOM-$STAMP" | sed -n 's/^RESULT //p')
  jq -c --arg n "$1" '. + {scenario: $n}' <<< "$out" >> "$ROWS"
}

phase() {   # phase <checkout> <lots: 0 or 1>: a database and the service of that checkout, warmed up
  BENCH_ROOT=$1
  PG_DATA="$WORK/data-$2"
  pg_start
  app_start jvm; app_wait_ready >/dev/null; app_stop
  seed_users "$USERS" 1000000000000 "$2"
  [ "$2" = 0 ] || seed_users "$USERS" 1000000000000 3 $((USERS + 1))
  TOKEN=$(token service)
  app_start jvm; app_wait_ready >/dev/null
  for _ in $(seq "$WINDOWS"); do
    wrk -t 2 -c "$CLIENTS" -d 10s -s "$ROOT/bench/lua/genledger.lua" "http://127.0.0.1:$APP_PORT" -- spend "$TOKEN" \
        "$USERS" "warmup-$2-$RANDOM" >/dev/null
  done
}

LOAD0=$(cut -d' ' -f1 /proc/loadavg)
if [ -n "${BENCH_BEFORE:-}" ]; then
  phase "$BENCH_BEFORE" 0
  measure "before lots: spend" spend
  app_stop; pg_stop
fi
phase "$ROOT" 1
measure "one lot: spend" spend
measure "three lots: spend" lots3
measure "one lot: spend (again)" spend
measure "three lots: spend (again)" lots3
RECON=$(curl -s "localhost:$APP_PORT/v1/admin/reconciliation" -H "Authorization: Bearer $(token admin)" \
        | jq -c '{checked, mismatches: (.mismatches | length)}')
app_stop
LOAD1=$(cut -d' ' -f1 /proc/loadavg)

jq -rs --arg load "$LOAD0 → $LOAD1" --argjson recon "$RECON" '
  (map(select(.scenario | startswith("one lot"))) | map(.rps) | add / length) as $one |
  "credit lots on the spend path, \(.[0].duration_s | round) s per row, load average \($load) (a shared machine: compare within the run)",
  "",
  "| scenario | req/s | × one lot | p50 ms | p99 ms | 2xx | 4xx | 5xx |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  (.[] | "| \(.scenario) | \(.rps | round) | \((.rps / $one * 100 | round) / 100) | \(.p50_ms) | \(.p99_ms) | \(.s2xx) | \(.s4xx) | \(.s5xx) |"),
  "",
  "reconciliation after the run: \($recon.checked) users checked, \($recon.mismatches) mismatches"' "$ROWS"
