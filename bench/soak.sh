#!/usr/bin/env bash
# genledger soak: the mixed load for an hour against two replicas of the production jar behind
# HAProxy on one PostgreSQL 15; prints a table of one sample a minute and a verdict, writes
# bench/results/soak-<stamp>.json. The pool plan's check: no connection leaks over one hour.
#   bench/soak.sh                 (SOAK_SECONDS=3600, SOAK_WINDOW=60, SOAK_CLIENTS=16, SOAK_USERS=10000)
# Each minute: server connections per replica (pg_stat_activity by application name), each
# replica's pool (Agroal active + available, and its leak count: leak detection runs every minute,
# quarkus.datasource.jdbc.leak-detection-interval), RSS, and the window's p99 and throughput.
# Steady means: Agroal's leak count 0 throughout; in the last third against the middle third
# (the first third is the warm-up) connections at most 2 more, RSS within 15 %, median p99 within 1.5x,
# median throughput at least 0.8x; no 5xx and no socket errors. Replicas get the heap of the JVM pod
# (-Xmx512m of 768 MiB, k8s/jvm). Ports: SOAK_PORT_BASE (19400): LB +0, API +1/+2, management +11/+12,
# PostgreSQL +32. Needs: wrk, jq, haproxy, PostgreSQL 15 server, a JDK, root.
SOAK_PORT_BASE=${SOAK_PORT_BASE:-19400}
PG_PORT=${PG_PORT:-$((SOAK_PORT_BASE + 32))}
source "$(dirname "$0")/lib.sh"
DURATION=${SOAK_SECONDS:-3600}
WINDOW=${SOAK_WINDOW:-60}
CLIENTS=${SOAK_CLIENTS:-16}
USERS=${SOAK_USERS:-10000}
JAVA_OPTS_SOAK=${SOAK_JAVA_OPTS:--Xmx512m}
JAR=${SOAK_JAR:-$BENCH_ROOT/target/quarkus-app/quarkus-run.jar}
LB_PORT=$SOAK_PORT_BASE
API_PORTS=($((SOAK_PORT_BASE + 1)) $((SOAK_PORT_BASE + 2)))
MGMT_PORTS=($((SOAK_PORT_BASE + 11)) $((SOAK_PORT_BASE + 12)))
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
SAMPLES="$WORK/soak-samples.jsonl"
PIDS=(); HAPROXY_PID=""
mkdir -p "$OUT"; : > "$SAMPLES"

[ -f "$JAR" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)

soak_cleanup() {
  if [ -n "$HAPROXY_PID" ]; then kill "$HAPROXY_PID" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  lib_cleanup
}
trap 'rc=$?; soak_cleanup; exit $rc' EXIT

# Each replica names itself in its JDBC URL (it overrides the ApplicationName property), so
# pg_stat_activity tells the replicas' connections apart; the admin pool shares the URL and the name.
replica_start() {   # replica_start <index>
  local i=$1
  ( cd "$BENCH_ROOT" && exec env \
      QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?ApplicationName=genledger-r$i" \
      QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
      QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
      MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
      QUARKUS_HTTP_PORT="${API_PORTS[$i]}" QUARKUS_MANAGEMENT_PORT="${MGMT_PORTS[$i]}" \
      "$JAVA_HOME/bin/java" $JAVA_OPTS_SOAK -jar "$JAR" ) >> "$WORK/replica$i.log" 2>&1 &
  PIDS[$i]=$!
}

replica_wait_ready() {   # replica_wait_ready <index>
  local i=$1 deadline=$(( $(date +%s) + 180 ))
  until curl -sf -m 1 "localhost:${MGMT_PORTS[$i]}/q/health/ready" >/dev/null 2>&1; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { tail -40 "$WORK/replica$i.log" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "replica $i not ready in time"; return 1; }
    sleep 0.2
  done
}

haproxy_start() {
  local cfg="$WORK/haproxy.cfg" i
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n'
    printf 'frontend api\n  bind 127.0.0.1:%s\n  default_backend genledger\n' "$LB_PORT"
    printf 'backend genledger\n  balance roundrobin\n  option httpchk GET /q/health/ready\n  http-check expect status 200\n'
    for i in 0 1; do
      printf '  server r%d 127.0.0.1:%s check port %s inter 2s fall 3 rise 2\n' "$i" "${API_PORTS[$i]}" "${MGMT_PORTS[$i]}"
    done
  } > "$cfg"
  haproxy -f "$cfg" -db >> "$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  until curl -s -o /dev/null "localhost:$LB_PORT/q/health/ready"; do sleep 0.1; done
  sleep 4.5   # the first health checks pass (rise)
}

wrk_load() {   # wrk_load <url> <mode> <seconds> <tag>: prints wrk's RESULT line (JSON)
  wrk -t 2 -c "$CLIENTS" -d "${3}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" "$1" \
      -- "$2" "$TOKEN" "$USERS" "$4-$STAMP" | sed -n 's/^RESULT //p'
}

# One replica's pool and leak count from its Prometheus metrics (the default datasource only).
pool_sample() {   # pool_sample <index>: {"pool": n, "active": n, "leaks": n}
  curl -s -m 5 "localhost:${MGMT_PORTS[$1]}/q/metrics" | awk '
    /^agroal_/ && /datasource="default"/ {
      if ($1 ~ /^agroal_active_count/) a = $NF
      if ($1 ~ /^agroal_available_count/) v = $NF
      if ($1 ~ /^agroal_leak_detection_count/) l = $NF
    }
    END {printf "{\"pool\": %d, \"active\": %d, \"leaks\": %d}", a + v, a, l}'
}

# Server connections per replica, sampled while the window's load runs.
sample() {   # sample <minute> <wrk result>
  local conns r0 r1 p0 p1
  conns=$(sql "SELECT coalesce(json_object_agg(application_name, n), '{}') FROM
                 (SELECT application_name, count(*) n FROM pg_stat_activity
                  WHERE application_name LIKE 'genledger-r%' GROUP BY 1) c")
  r0=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/${PIDS[0]}/status")
  r1=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/${PIDS[1]}/status")
  p0=$(pool_sample 0); p1=$(pool_sample 1)
  echo "$conns|$r0|$r1|$p0|$p1"
}

pg_start
log "migrating (first replica), then seeding $USERS users with a quiz each"
replica_start 0; replica_wait_ready 0
seed_users "$USERS" 1000000000000
seed_quizzes "$USERS"
TOKEN=$(token service)
ADMIN=$(token admin)
replica_start 1; replica_wait_ready 1
haproxy_start

MINUTES=$(( DURATION / WINDOW ))
log "soak: mixed load, $CLIENTS clients, $MINUTES windows of ${WINDOW}s behind HAProxy on 2 replicas"
for ((m = 1; m <= MINUTES; m++)); do
  wrk_load "http://127.0.0.1:$LB_PORT" mixed "$WINDOW" "soak-$m" > "$WORK/window.json" &
  WRK_PID=$!
  sleep $(( WINDOW * 5 / 6 ))
  IFS='|' read -r CONNS RSS0 RSS1 POOL0 POOL1 <<< "$(sample "$m")"
  wait "$WRK_PID"
  jq -c --argjson m "$m" --argjson conns "$CONNS" --argjson rss0 "$RSS0" --argjson rss1 "$RSS1" \
     --argjson pool0 "$POOL0" --argjson pool1 "$POOL1" \
     '{minute: $m, rps, p99_ms, s4xx, s5xx, socket_errors, requests,
       connections: [($conns["genledger-r0"] // 0), ($conns["genledger-r1"] // 0)],
       pool: [$pool0.pool, $pool1.pool], active: [$pool0.active, $pool1.active],
       leaks: [$pool0.leaks, $pool1.leaks], rss_mb: [$rss0, $rss1]}' "$WORK/window.json" | tee -a "$SAMPLES" \
    | jq -r '"minute \(.minute): \(.rps | round) req/s, p99 \(.p99_ms) ms, connections \(.connections), pool \(.pool), leaks \(.leaks), RSS \(.rss_mb) MB"' >&2
done

# After an hour the ledger is large: the reconciliation may outlast the statement timeout (a 503).
RECON=$(curl -s -m 60 "localhost:${API_PORTS[0]}/v1/admin/reconciliation" -H "Authorization: Bearer $ADMIN" \
  | jq -c 'if .checked then {checked, mismatches: (.mismatches | length)} else {failed: (.cause // "no answer")} end' \
  || echo '{"failed": "no answer"}')
LOAD=$(awk '{print $1, $2, $3}' /proc/loadavg)
MACHINE="$(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
jq -s --arg stamp "$STAMP" --arg machine "$MACHINE" --arg load "$LOAD" --argjson clients "$CLIENTS" \
  --argjson window "$WINDOW" --arg opts "$JAVA_OPTS_SOAK" --argjson recon "$RECON" '
  def mean(f): (map(f) | add / length);
  def median(f): (map(f) | sort | .[length / 2 | floor]);
  def third(k): (length / 3 | floor) as $t | if k == 1 then .[$t:2 * $t] else .[2 * $t:] end;
  (third(1)) as $mid | (third(2)) as $last |
  {mid: {conns: ($mid | map(.connections | add) | max), rss: ($mid | mean(.rss_mb | add)),
         p99: ($mid | median(.p99_ms)), rps: ($mid | median(.rps))},
   last: {conns: ($last | map(.connections | add) | max), rss: ($last | mean(.rss_mb | add)),
         p99: ($last | median(.p99_ms)), rps: ($last | median(.rps))}} as $c |
  {connections: ($c.last.conns <= $c.mid.conns + 2), rss: ($c.last.rss <= $c.mid.rss * 1.15),
   p99: ($c.last.p99 <= $c.mid.p99 * 1.5), throughput: ($c.last.rps >= $c.mid.rps * 0.8),
   no_leaks: (map(.leaks | add) | max == 0),
   no_errors: (map(.s5xx + .socket_errors) | add == 0)} as $checks |
  {date: $stamp, machine: $machine, load_average_at_end: $load, clients: $clients, window_s: $window,
   java_opts: $opts, replicas: 2, samples: .,
   middle_third: $c.mid, last_third: $c.last, checks: $checks,
   verdict: (if ($checks | all) then "steady" else "not steady" end),
   reconciliation: $recon}' "$SAMPLES" > "$OUT/soak-$STAMP.json"

jq -r '"genledger soak \(.date) on \(.machine), mixed load, \(.clients) clients, 2 replicas behind HAProxy, one sample per \(.window_s) s",
  "",
  "| minute | req/s | p99 ms | 5xx | socket errors | connections r0 / r1 | pool r0 / r1 | leaks r0 / r1 | RSS MB r0 / r1 |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.samples[] | "| \(.minute) | \(.rps | round) | \(.p99_ms) | \(.s5xx) | \(.socket_errors) | \(.connections | join(" / ")) | \(.pool | join(" / ")) | \(.leaks | join(" / ")) | \(.rss_mb | join(" / ")) |"),
  "",
  "middle third: max connections \(.middle_third.conns), mean RSS \(.middle_third.rss | round) MB, median p99 \(.middle_third.p99 * 100 | round / 100) ms, median \(.middle_third.rps | round) req/s",
  "last third:   max connections \(.last_third.conns), mean RSS \(.last_third.rss | round) MB, median p99 \(.last_third.p99 * 100 | round / 100) ms, median \(.last_third.rps | round) req/s",
  "checks: \(.checks | to_entries | map("\(.key) \(if .value then "ok" else "FAILED" end)") | join(", "))",
  "verdict: \(.verdict); reconciliation: \(if .reconciliation.failed then "failed (\(.reconciliation.failed))" else "\(.reconciliation.checked) users checked, \(.reconciliation.mismatches) mismatches" end)"' "$OUT/soak-$STAMP.json"
echo; echo "results: bench/results/soak-$STAMP.json"
