#!/usr/bin/env bash
# One abusive caller against everybody else, in one run: prints a table, writes
# bench/results/abuse-<stamp>.json.   bench/abuse.sh   (~3 min; BENCH_SECONDS=20 per phase)
# The other callers are the app backend (service token) reading and spending for random users,
# 16 connections (bench/lua/genledger.lua, mixed). The abuser is one user token on 500 connections
# reading its balance and creating quizzes, each connection pacing itself (bench/lua/abuse.lua), so
# the offered load stays bounded. Phases: the others alone; the others under the abuser; the same
# with the caller limits switched off (GENLEDGER_LIMITS_ENABLED=false), as before they existed.
# Everything on loopback. Needs what bench/run.sh needs (wrk, jq, PostgreSQL 15, a JDK, root).
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
SECS=${BENCH_SECONDS:-20}
USERS=${BENCH_USERS:-1000}
OTHERS=${BENCH_OTHERS:-16}
ABUSE_CONNECTIONS=${BENCH_ABUSE_CONNECTIONS:-500}
ABUSE_PACE_MS=${BENCH_ABUSE_PACE_MS:-250}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
mkdir -p "$OUT"
ROWS="$WORK/abuse.jsonl"; : > "$ROWS"
ABUSER=00000000-0000-4000-8000-000000000001

[ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)

others() {   # others <seconds>: the other callers' result line
  wrk -t 2 -c "$OTHERS" -d "${1}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" \
      "http://127.0.0.1:$APP_PORT" -- mixed "$SERVICE" "$USERS" "others-$STAMP-$RANDOM" | sed -n 's/^RESULT //p'
}

abuser() {   # abuser <seconds> <output file>: in the background (ABUSER_PID)
  wrk -t 2 -c "$ABUSE_CONNECTIONS" -d "${1}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/abuse.lua" \
      "http://127.0.0.1:$APP_PORT" -- "$ABUSE" "$ABUSER" "$ABUSE_PACE_MS" > "$2" &
  ABUSER_PID=$!
}

phase() {   # phase <name> <with abuser: yes|no>
  local name=$1 line abuse='null'
  log "phase $name"
  if [ "$2" = yes ]; then abuser $((SECS + 4)) "$WORK/abuser.out"; sleep 2; fi
  line=$(others "$SECS")
  if [ "$2" = yes ]; then wait "$ABUSER_PID"; abuse=$(sed -n 's/^RESULT //p' "$WORK/abuser.out"); fi
  jq -c --arg n "$name" --argjson a "${abuse:-null}" '{phase: $n, others: ., abuser: $a}' <<< "$line" >> "$ROWS"
}

serve() {   # serve [env assignments...]: starts the service, warms it up
  app_start jvm "" "$@"; app_wait_ready >/dev/null
  log "warming up"; others 30 >/dev/null; others 10 >/dev/null
}

pg_start
app_start jvm; app_wait_ready >/dev/null; app_stop
seed_users "$USERS" 1000000000000
seed_quizzes "$USERS"
SERVICE=$(token service)
ABUSE=$("$BENCH_ROOT/dev/token.sh" user "$ABUSER")

serve
phase "others alone" no
phase "others + abuser, limits on" yes
LIMITED_QUIZZES=$(sql "SELECT count(*) FROM quizzes WHERE user_id = '$ABUSER' AND title = 'spam'")
app_stop
serve GENLEDGER_LIMITS_ENABLED=false
phase "others alone, limits off" no
phase "others + abuser, limits off" yes
app_stop

jq -s --arg stamp "$STAMP" --argjson conns "$ABUSE_CONNECTIONS" --argjson pace "$ABUSE_PACE_MS" \
      --argjson others "$OTHERS" --argjson secs "$SECS" --argjson quizzes "$LIMITED_QUIZZES" '
  (.[0].others.p99_ms) as $on | (.[2].others.p99_ms) as $off |
  {date: $stamp, seconds_per_phase: $secs, other_connections: $others, abuser_connections: $conns,
   abuser_pace_ms: $pace, abuser_quizzes_created_with_limits: $quizzes,
   phases: map(. + {p99_vs_alone: ((.others.p99_ms / (if (.phase | test("limits off")) then $off else $on end) * 100 | round) / 100)})}' \
  "$ROWS" > "$OUT/abuse-$STAMP.json"

jq -r '"genledger abuse benchmark \(.date): \(.other_connections) connections of other callers; the abuser \(.abuser_connections) connections on one user token, each pacing \(.abuser_pace_ms) ms; \(.seconds_per_phase) s per phase",
  "",
  "| phase | others req/s | others p50 ms | others p99 ms | p99 × alone | others 5xx | abuser req/s | abuser 2xx | abuser 429 |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.phases[] | "| \(.phase) | \(.others.rps | round) | \(.others.p50_ms) | \(.others.p99_ms) | \(.p99_vs_alone) | \(.others.s5xx) | \(.abuser.rps // "" | if . == "" then . else round end) | \(.abuser.s2xx // "") | \(.abuser.s429 // "") |"),
  "",
  "quizzes the abuser created with the limits on: \(.abuser_quizzes_created_with_limits)"' "$OUT/abuse-$STAMP.json"
echo; echo "results: bench/results/abuse-$STAMP.json"
