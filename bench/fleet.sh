#!/usr/bin/env bash
# genledger fleet benchmark: one command, prints a table, writes bench/results/fleet-<stamp>.json.
#   bench/fleet.sh               (FLEET_SECONDS=15 per row, FLEET_USERS=10000)
# One PostgreSQL 15, three replicas of the production jar, HAProxy (round robin, health-checked on
# /q/health/ready of the management port) in front of the first 1, 2 and 3 of them; wrk with
# bench/lua/genledger.lua. Rows: hot user (every client on one user) and uncontended spends on 1, 2
# and 3 replicas, with database retries per 1 000 operations and the ratio to one replica, all in
# this one run; the same rows on 2 and 3 replicas with HAProxy routing each user to one replica
# (routing "user hash": consistent hashing on /v1/users/<id>, what k8s/ingress.yaml does); then the
# rolling check: SIGTERM of one of two replicas under load, counting every non-2xx answer and
# socket error. FLEET_JAR=path runs another build (e.g. an older one, to compare).
# Ports: FLEET_PORT_BASE (18400): HAProxy +0, API +1..+3, management +11..+13, PostgreSQL +32.
# Needs: wrk, jq, haproxy, PostgreSQL 15 server (apt-get install -y wrk jq haproxy postgresql-15), a JDK, root.
FLEET_PORT_BASE=${FLEET_PORT_BASE:-18400}
PG_PORT=${PG_PORT:-$((FLEET_PORT_BASE + 32))}
source "$(dirname "$0")/lib.sh"
SECONDS_PER=${FLEET_SECONDS:-15}
USERS=${FLEET_USERS:-10000}
CLIENTS=${FLEET_CLIENTS:-64}
JAR=${FLEET_JAR:-$BENCH_ROOT/target/quarkus-app/quarkus-run.jar}
LB_PORT=${FLEET_LB_PORT:-$FLEET_PORT_BASE}
API_PORTS=($((FLEET_PORT_BASE + 1)) $((FLEET_PORT_BASE + 2)) $((FLEET_PORT_BASE + 3)))
MGMT_PORTS=($((FLEET_PORT_BASE + 11)) $((FLEET_PORT_BASE + 12)) $((FLEET_PORT_BASE + 13)))
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
ROWS="$WORK/fleet-rows.jsonl"
PIDS=(); HAPROXY_PID=""
mkdir -p "$OUT"; : > "$ROWS"

[ -f "$JAR" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)

fleet_cleanup() {
  if [ -n "$HAPROXY_PID" ]; then kill "$HAPROXY_PID" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; done
  for pid in "${PIDS[@]}"; do if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi; done
  lib_cleanup
}
trap 'rc=$?; fleet_cleanup; exit $rc' EXIT

replica_start() {   # replica_start <index>
  local i=$1
  ( cd "$BENCH_ROOT" && exec env QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
      QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
      QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
      MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
      QUARKUS_HTTP_PORT="${API_PORTS[$i]}" QUARKUS_MANAGEMENT_PORT="${MGMT_PORTS[$i]}" \
      "$JAVA_HOME/bin/java" -jar "$JAR" ) >> "$WORK/replica$i.log" 2>&1 &
  PIDS[$i]=$!
}

replica_wait_ready() {   # replica_wait_ready <index>
  local i=$1 deadline=$(( $(date +%s) + 120 ))
  until curl -sf -m 1 "localhost:${MGMT_PORTS[$i]}/q/health/ready" >/dev/null 2>&1; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { tail -40 "$WORK/replica$i.log" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "replica $i not ready in time"; return 1; }
    sleep 0.2
  done
}

# HAProxy in front of the first n replicas: round robin, health-checked on readiness with
# HAProxy's own default timing (a check every 2 s, out after 3 failures, back after 2 successes):
# up to about 6 s from readiness DOWN to no new requests, like a balancer that polls.
# Routing "hash": the first three path segments (/v1/users/<id>) hashed onto a consistent ring,
# so a user's requests go to one replica and a replica leaving moves only its own users.
haproxy_start() {   # haproxy_start <n> [roundrobin|hash]
  local n=$1 balance="roundrobin" cfg="$WORK/haproxy.cfg" i
  [ "${2:-roundrobin}" = roundrobin ] || balance="uri depth 3\n  hash-type consistent"
  if [ -n "$HAPROXY_PID" ]; then kill "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null || true; fi
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n'
    printf 'frontend api\n  bind 127.0.0.1:%s\n  default_backend genledger\n' "$LB_PORT"
    printf "backend genledger\n  balance $balance\n  option httpchk GET /q/health/ready\n  http-check expect status 200\n"
    printf '  default-server %s\n' "${FLEET_CHECK:-inter 2s fall 3 rise 2}"
    for ((i = 0; i < n; i++)); do
      printf '  server r%d 127.0.0.1:%s check port %s\n' "$i" "${API_PORTS[$i]}" "${MGMT_PORTS[$i]}"
    done
  } > "$cfg"
  haproxy -f "$cfg" -db >> "$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  until curl -s -o /dev/null "localhost:$LB_PORT/q/health/ready"; do sleep 0.1; done
  sleep 4.5   # the first health checks pass (rise)
}

wrk_load() {   # wrk_load <url> <mode> <seconds> <tag> [clients]: prints wrk's RESULT line (JSON)
  wrk -t 2 -c "${5:-$CLIENTS}" -d "${3}s" --timeout 10s -s "$BENCH_ROOT/bench/lua/genledger.lua" "$1" \
      -- "$2" "$TOKEN" "$USERS" "$4-$STAMP" | sed -n 's/^RESULT //p'
}

retries() {   # database retries counted by the running replicas
  local total=0 i v
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || continue
    v=$(curl -s "localhost:${MGMT_PORTS[$i]}/q/metrics" | awk 'index($0, "genledger_db_retries_total") == 1 {s += $NF} END {printf "%.0f", s}')
    total=$((total + v))
  done
  echo "$total"
}

measure() {   # measure <replicas> <scenario name> <wrk mode> [routing]
  local n=$1 name=$2 mode=$3 routing=${4:-round robin} r0 r1 out
  r0=$(retries)
  log "fleet: $name on $n replica(s), $routing, ${SECONDS_PER}s"
  out=$(wrk_load "http://127.0.0.1:$LB_PORT" "$mode" "$SECONDS_PER" "$name-$n-${routing// /}")
  r1=$(retries)
  jq -c --arg s "$name" --argjson n "$n" --arg routing "$routing" --argjson r "$((r1 - r0))" \
    '. + {scenario: $s, replicas: $n, routing: $routing, db_retries: $r, retries_per_1000: (if .requests > 0 then ($r * 1000 / .requests * 10 | round) / 10 else null end)}' \
    <<< "$out" >> "$ROWS"
}

pg_start
log "migrating (first replica), then seeding $USERS users"
replica_start 0; replica_wait_ready 0
seed_users "$USERS" 1000000000000
TOKEN=$(token service)
ADMIN=$(token admin)
replica_start 1; replica_start 2
replica_wait_ready 1; replica_wait_ready 2

# Warm-up: every replica's JIT on the spend and hot paths, directly, one after another (2 cores).
for i in 0 1 2; do
  for w in $(seq 1 "${FLEET_WARMUP_WINDOWS:-3}"); do
    log "warm-up replica $i, window $w: $(wrk_load "http://127.0.0.1:${API_PORTS[$i]}" spend 10 warm | jq .rps) req/s"
  done
  wrk_load "http://127.0.0.1:${API_PORTS[$i]}" hot 10 warm >/dev/null
done

for n in ${FLEET_REPLICAS-1 2 3}; do
  haproxy_start "$n"
  measure "$n" hot hot
  measure "$n" uncontended spend
done
for n in ${FLEET_HASH_REPLICAS-2 3}; do
  haproxy_start "$n" hash
  measure "$n" hot hot "user hash"
  measure "$n" uncontended spend "user hash"
done

# Rolling: two replicas behind HAProxy under uncontended load; replica 1 gets SIGTERM a third of
# the way in and finishes its shutdown (drain, delay, in-flight requests, pool) while the load goes
# on. Few clients, so the dying replica sees gaps between requests: under saturation it always has
# one in flight and never closes its listener before the balancer has stopped sending.
haproxy_start 2
ROLL_SECONDS=${FLEET_ROLL_SECONDS:-20}
log "rolling: SIGTERM of replica 1 after $((ROLL_SECONDS / 3)) s of ${ROLL_SECONDS} s"
wrk_load "http://127.0.0.1:$LB_PORT" spend "$ROLL_SECONDS" roll "${FLEET_ROLL_CLIENTS:-4}" > "$WORK/roll.json" &
WRK_PID=$!
sleep $((ROLL_SECONDS / 3))
kill -TERM "${PIDS[1]}"
T_TERM=$(date +%s%N)
wait "${PIDS[1]}" 2>/dev/null || true
STOP_MS=$(( ($(date +%s%N) - T_TERM) / 1000000 ))
PIDS[1]=""
wait "$WRK_PID"
ROLL=$(jq -c --argjson ms "$STOP_MS" '. + {replica_stopped_after_ms: $ms}' "$WORK/roll.json")

RECON=$(curl -s "localhost:${API_PORTS[0]}/v1/admin/reconciliation" -H "Authorization: Bearer $ADMIN" \
  | jq -c '{checked, mismatches: (.mismatches | length)}')

MACHINE="$(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
jq -s --arg stamp "$STAMP" --arg machine "$MACHINE" --arg jar "$JAR" --argjson secs "$SECONDS_PER" \
  --argjson clients "$CLIENTS" --argjson roll_clients "${FLEET_ROLL_CLIENTS:-4}" --argjson roll "$ROLL" --argjson recon "$RECON" '
  (map(select(.replicas == 1 and .routing == "round robin")) | map({key: .scenario, value: .}) | from_entries) as $one |
  {date: $stamp, machine: $machine, jar: $jar, seconds_per_row: $secs, clients: $clients,
   rows: map(. + {vs_one_replica: ((.rps / $one[.scenario].rps * 100 | round) / 100),
                  non_2xx: (.s4xx + .s5xx)}),
   rolling_clients: $roll_clients, rolling: ($roll + {failed: ($roll.s4xx + $roll.s5xx + $roll.socket_errors)}),
   reconciliation: $recon}' "$ROWS" > "$OUT/fleet-$STAMP.json"

jq -r '"genledger fleet benchmark \(.date) on \(.machine), \(.clients) clients, \(.seconds_per_row) s per row, behind HAProxy",
  "",
  "| scenario | replicas | routing | req/s | × 1 replica | p50 ms | p99 ms | non-2xx | socket errors | db retries | retries / 1000 ops |",
  "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.rows[] | "| \(.scenario) | \(.replicas) | \(.routing) | \(.rps | round) | \(.vs_one_replica) | \(.p50_ms) | \(.p99_ms) | \(.non_2xx) | \(.socket_errors) | \(.db_retries) | \(.retries_per_1000) |"),
  "",
  "rolling (SIGTERM of one of 2 replicas under uncontended load, \(.rolling_clients) clients, \(.rolling.duration_s | round) s): \(.rolling.requests) requests, \(.rolling.s4xx + .rolling.s5xx) non-2xx, \(.rolling.socket_errors) socket errors: \(.rolling.failed) failed; the replica stopped \(.rolling.replica_stopped_after_ms) ms after SIGTERM",
  "reconciliation after the run: \(.reconciliation.checked) users checked, \(.reconciliation.mismatches) mismatches"' "$OUT/fleet-$STAMP.json"
echo; echo "results: bench/results/fleet-$STAMP.json"
