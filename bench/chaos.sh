#!/usr/bin/env bash
# genledger chaos suite: one command, prints a table, exits non-zero when a guarantee broke.
#   bench/chaos.sh           full form  (CHAOS_SECONDS=40 of load per fault)
#   bench/chaos.sh short     CI form    (12 s of load per fault, about 6 minutes; one fleet fault: failover-sync)
# Starts PostgreSQL 15 inside its own network namespace (veth 10.250.7.1 <-> 10.250.7.2, or CHAOS_NET=10.250.N for
# another /30 so that two runs can share a machine), the
# production jar against it, then for each fault runs bench/src/ChaosClient.java (keyed spends,
# grants, refunds, transfers, and jobs created, started and settled; every acknowledged operation
# recorded, unacknowledged ones retried with the same key) while the fault is injected, and checks
# afterwards: every acknowledged operation in the ledger (or the jobs) exactly once, nothing applied
# twice, every job held once and settled at most once, reconciliation clean, no backend idle in
# transaction, the service answering again by itself, no request past its deadline (10 s).
# Then PgBouncer (transaction mode) is put between the service and the database and restarted
# mid-load, and the OpenAPI fuzzer runs. Last, the fleet faults: a standby is made with
# pg_basebackup, the service is pointed at both (targetServerType=primary), and the primary is
# SIGKILLed and the standby promoted, with synchronous replication (0 acknowledged operations lost,
# readiness DOWN while no primary answers, writes back within 10 s of the promotion) and, in the
# full form, asynchronous (what was lost is measured: the RPO); then, full form only, a second
# replica behind HAProxy, and a replica SIGKILLed and a replica rolled (SIGTERM, restart). Needs root, iproute2, iptables, pgbouncer, jq,
# PostgreSQL 15, HAProxy for the full form (apt-get install -y postgresql-15 pgbouncer iptables
# iproute2 jq haproxy) and a JDK 21+.
PG_PORT=${PG_PORT:-22732} APP_PORT=${APP_PORT:-22780} MGMT_PORT=${MGMT_PORT:-22790}
BOUNCER_PORT=${BOUNCER_PORT:-22733} STANDBY_PORT=${STANDBY_PORT:-22734}
APP2_PORT=${APP2_PORT:-22781} MGMT2_PORT=${MGMT2_PORT:-22791} LB_PORT=${LB_PORT:-22782}
source "$(dirname "$0")/lib.sh"
MODE=${1:-full}
SECS=${CHAOS_SECONDS:-$([ "$MODE" = short ] && echo 12 || echo 40)}
CLIENTS=${CHAOS_CLIENTS:-16}
RUN_ID=$(date -u +%H%M%S)
NS=gl-db-$$ VETH_HOST=glh$$ VETH_DB=gld$$ NET=${CHAOS_NET:-10.250.7}
RESULTS="$WORK/results.jsonl"; : > "$RESULTS"
BOUNCER_PID="" POLL_PID=""

cleanup() {
  if [ -n "$BOUNCER_PID" ]; then kill "$BOUNCER_PID" 2>/dev/null || true; fi
  if [ -n "$RECEIVER_PID" ]; then kill "$RECEIVER_PID" 2>/dev/null || true; fi
  if [ -n "$POLL_PID" ]; then kill "$POLL_PID" 2>/dev/null || true; fi
  lib_cleanup
  ip link del "$VETH_HOST" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

[ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)
LIB="$BENCH_ROOT/target/quarkus-app/lib/main"
CP=$(ls "$LIB"/org.postgresql.postgresql-*.jar "$LIB"/com.fasterxml.jackson.core.jackson-*.jar | paste -sd:)
# Compiled once: compiling at every launch delays the load by seconds, and the faults must hit it.
mkdir -p "$WORK/classes"
"$JAVA_HOME/bin/javac" -nowarn -d "$WORK/classes" -cp "$CP" "$BENCH_ROOT/bench/src/ChaosClient.java"
# BASE_PORT: where the load goes (a replica, or the balancer); CHECK_JDBC: where the checks read.
client() { "$JAVA_HOME/bin/java" -cp "$WORK/classes:$CP" ChaosClient "$@" \
  --base="http://127.0.0.1:${BASE_PORT:-$APP_PORT}" --token="$TOKEN" --admin-token="$ADMIN" \
  --jdbc="${CHECK_JDBC:-jdbc:postgresql://$PG_HOST:$PG_PORT/postgres?ApplicationName=chaos-check}"; }

# --- the database in its own network namespace -------------------------------------------------
if ip -br addr | grep -qF " $NET.1/"; then
  log "$NET.1 is already on an interface (a namespace another run left behind?): refusing to measure it"; exit 1
fi
if ip netns add "$NS" 2>/dev/null && ip link add "$VETH_HOST" type veth peer name "$VETH_DB" \
   && ip link set "$VETH_DB" netns "$NS" && ip addr add $NET.1/30 dev "$VETH_HOST" && ip link set "$VETH_HOST" up \
   && ip netns exec "$NS" ip addr add $NET.2/30 dev "$VETH_DB" && ip netns exec "$NS" ip link set "$VETH_DB" up \
   && ip netns exec "$NS" ip link set lo up && ip netns exec "$NS" iptables -L -n >/dev/null 2>&1; then
  PG_NETNS=$NS PG_HOST=$NET.2 NETNS=1
else
  log "network namespaces or iptables unavailable: the network faults are skipped (reported as blocked)"
  PG_HOST=127.0.0.1 NETNS=0
fi
export PG_NETNS PG_HOST
pg_start
TOKEN=$(token service) ADMIN=$(token admin)

# Webhooks: a receiver here verifies and records every delivery of one endpoint that takes every
# event type; after the faults, every committed change must have its event, every event must have
# reached the receiver, and nothing that did not commit may have been announced.
source "$BENCH_ROOT/bench/events-check.sh"
export GENLEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true
# The load grants lots that expire within the run; the service sweeps them every few seconds.
export GENLEDGER_CREDITS_EXPIRY_EVERY=${CHAOS_EXPIRY_EVERY:-2s} GENLEDGER_CREDITS_EXPIRY_DELAY=1s
RECEIVER_PORT=${RECEIVER_PORT:-22783}
WEBHOOK_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
"$JAVA_HOME/bin/java" "$BENCH_ROOT/bench/src/WebhookReceiver.java" "$RECEIVER_PORT" "$WEBHOOK_SECRET" "$WORK/events.jsonl" \
  >> "$WORK/receiver.log" 2>&1 &
RECEIVER_PID=$!
EVENTS_RESULTS="$WORK/events-results.txt"; : > "$EVENTS_RESULTS"
events_phase() {   # events_phase <after what>: the events checks, once the endpoint's deliveries drained
  if events_drained 180 "$WEBHOOK_ID" && events_check "$WORK/events.jsonl"; then echo "$1 ok" >> "$EVENTS_RESULTS"
  else echo "$1 FAILED" >> "$EVENTS_RESULTS"; fi
}

app_start jvm; app_wait_ready 300 >/dev/null
WEBHOOK_ID=$(curl -sf "localhost:$APP_PORT/v1/admin/webhooks" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$RECEIVER_PORT/\",\"secret\":\"$WEBHOOK_SECRET\"}" | jq -r .id)
[ -n "$WEBHOOK_ID" ] && [ "$WEBHOOK_ID" != null ] || { log "could not create the webhook endpoint"; exit 1; }
client setup --users=40 --balance=1000000 --out="$WORK/users.txt" >&2

# --- faults ----------------------------------------------------------------------------------
in_ns() { ip netns exec "$NS" "$@"; }

fault_terminate() {   # pg_terminate_backend on the service's connections every 300 ms, 8 s
  for _ in $(seq 1 27); do
    sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'genledger'" >/dev/null || true
    sleep 0.3
  done
}
fault_pg_stop() { pg_stop fast; sleep 10; pg_start; }
fault_freeze() {   # every PostgreSQL process stopped (SIGSTOP) for 6 s: sockets open, nothing answers
  local pm children; pm=$(head -1 "$PG_DATA/postmaster.pid")
  kill -STOP "$pm"   # first, so that no new backend starts
  children=$(pgrep -P "$pm")
  kill -STOP $children
  sleep 6
  kill -CONT $children "$pm"
}
fault_pool() {   # row locks on the 10 "hog" users for 6 s (in id order, as the service takes them, or a transfer deadlocks with it): 48 hog clients' transfers hold every connection
  sql "BEGIN; SELECT count(*) FROM (SELECT 1 FROM users WHERE id IN ($(head -10 "$WORK/users.txt" | sed "s/.*/'&'/" | paste -sd,)) ORDER BY id FOR UPDATE) l; SELECT pg_sleep(6); COMMIT;" >/dev/null
}
iptables_for() {   # iptables_for <seconds> <rule...>: the rule on the database's inbound port, then removed
  local s=$1; shift
  in_ns iptables -I INPUT -p tcp --dport "$PG_PORT" "$@"
  sleep "$s"
  in_ns iptables -D INPUT -p tcp --dport "$PG_PORT" "$@"
}
fault_drop() { iptables_for 6 -j DROP; }
fault_reject() { iptables_for 6 -j REJECT --reject-with tcp-reset; }
fault_loss() { iptables_for 8 -m statistic --mode random --probability 0.3 -j DROP; }
fault_pgbouncer() { kill -TERM "$BOUNCER_PID"; wait "$BOUNCER_PID" 2>/dev/null || true; sleep 2; bouncer_start; }
fault_none() { :; }

# Time from the fault being cleared until the service applies a write again (a keyed grant of 1;
# a write, because reads and writes have separate circuit breakers).
recovery_ms() {
  local t0=$(date +%s%N) user=$(head -1 "$WORK/users.txt") n=0
  for _ in $(seq 1 600); do
    n=$((n + 1))
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "localhost:${BASE_PORT:-$APP_PORT}/v1/users/$user/credits/grant" \
         -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H "Idempotency-Key: probe-$RUN_ID-$1-$n" \
         -d '{"amount":1,"reason":"recovery probe"}')" = 201 ] \
      && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return; }
    sleep 0.1
  done
  echo null
}

phase() {   # phase <name> <fault function> [client options...]; CHAOS_ONLY=<regex> selects faults
  local name=$1 fn=$2; shift 2
  [[ $name =~ ${CHAOS_ONLY:-.} ]] || return 0
  log "fault: $name ($SECS s of load, fault from 3 s)"
  rm -f "$WORK/started"
  client load --users-file="$WORK/users.txt" --seconds="$SECS" --clients="$CLIENTS" --fault="$name" \
    --run-id="$RUN_ID" --hog-users=10 --started-file="$WORK/started" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  local pid=$!
  for _ in $(seq 1 300); do [ -f "$WORK/started" ] && break; sleep 0.1; done   # the load is running
  sleep 3
  "$fn"
  local rec; rec=$(recovery_ms "$name")
  # CHAOS_THREAD_DUMP=1: the service's threads 5 s after recovery, for diagnosing a slow phase.
  [ -n "${CHAOS_THREAD_DUMP:-}" ] && { sleep 5; "$JAVA_HOME/bin/jcmd" "$APP_PID" Thread.print > "$WORK/$name.threads" 2>&1 || true; }
  wait "$pid" || true
  local line; line=$(sed -n 's/^RESULT //p' "$WORK/$name.out")
  if [ -z "$line" ]; then log "client failed:"; tail -20 "$WORK/$name.err" >&2; line='{"fault":"'$name'","error":"client failed"}'; fi
  # A fault may add what it measured itself (<fault function>_report prints a JSON object).
  local extra='{}'
  if declare -F "${fn}_report" >/dev/null; then "${fn}_report" "$name" > "$WORK/$name.extra"; extra=$(cat "$WORK/$name.extra"); fi
  jq -c --argjson r "$rec" --argjson x "$extra" '. + {recovery_ms: $r} + $x' <<< "$line" >> "$RESULTS"
}

blocked() { jq -nc --arg f "$1" '{fault: $f, blocked: "no network namespace / iptables here"}' >> "$RESULTS"; }

phase baseline fault_none
phase pg_terminate_backend fault_terminate
phase pg-stopped-10s fault_pg_stop
phase pg-frozen-6s fault_freeze
phase pool-exhaustion fault_pool --hog-clients=48 --hog-seconds=9
if [ "$NETNS" = 1 ]; then
  phase net-drop-6s fault_drop
  phase net-reject-6s fault_reject
  phase net-loss-30pct-8s fault_loss
else
  blocked net-drop-6s; blocked net-reject-6s; blocked net-loss-30pct-8s
fi

# --- PgBouncer in transaction mode between the service and the database -----------------------
# PgBouncer does not forward the startup "options" parameter the pool uses for statement_timeout,
# lock_timeout and idle_in_transaction_session_timeout, and the JDBC driver's session-level
# "SET SESSION CHARACTERISTICS ... REPEATABLE READ" would only reach whichever server connection
# happened to run it. So the role carries all of them (ALTER ROLE ... SET), PgBouncer ignores the
# "options" startup parameter, and the JDBC URL turns server-side prepared statements off.
sql "ALTER ROLE genledger SET statement_timeout = '2s'; ALTER ROLE genledger SET lock_timeout = '1s';
     ALTER ROLE genledger SET idle_in_transaction_session_timeout = '10s';
     ALTER ROLE genledger SET default_transaction_isolation = 'repeatable read';" >/dev/null
cat > "$WORK/pgbouncer.ini" <<INI
[databases]
postgres = host=$PG_HOST port=$PG_PORT dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 25
ignore_startup_parameters = extra_float_digits,options
server_connect_timeout = 2
query_wait_timeout = 5
logfile = $WORK/pgbouncer.log
INI
printf '"genledger" ""\n"genledger_owner" ""\n' > "$WORK/userlist.txt"
chown postgres "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
bouncer_start() {
  runuser -u postgres -- pgbouncer "$WORK/pgbouncer.ini" >> "$WORK/pgbouncer.out" 2>&1 &
  BOUNCER_PID=$!
  for _ in $(seq 1 50); do ss -Hltn "sport = :$BOUNCER_PORT" | grep -q . && return; sleep 0.1; done
  log "pgbouncer did not start"; cat "$WORK/pgbouncer.out" >&2; return 1
}
app_stop
if [[ pgbouncer-restart =~ ${CHAOS_ONLY:-.} ]]; then
  bouncer_start
  app_start jvm "jdbc:postgresql://127.0.0.1:$BOUNCER_PORT/postgres?prepareThreshold=0"
  app_wait_ready 300 >/dev/null
  phase pgbouncer-restart fault_pgbouncer
  app_stop
fi
sql "ALTER ROLE genledger RESET ALL" >/dev/null
# Deliveries need a running service: one drains what the faults left.
app_start jvm; app_wait_ready 300 >/dev/null
events_phase "the single-database faults"
app_stop

# --- fuzz from the OpenAPI document -----------------------------------------------------------
if [[ fuzz =~ ${CHAOS_ONLY:-.} ]]; then
  app_start jvm; app_wait_ready 300 >/dev/null
  log "fuzz: requests generated from /q/openapi"
  FUZZ=$(client fuzz 2> "$WORK/fuzz.err" | sed -n 's/^RESULT //p')
  [ -n "$FUZZ" ] || { tail -20 "$WORK/fuzz.err" >&2; FUZZ='{"error":"fuzzer failed"}'; }
  app_stop
else
  FUZZ='{"skipped":true,"operations":0,"requests":0,"by_status":{},"s5xx":0,"stack_traces":0,"data_changed_by_rejected":0}'
fi

# --- fleet faults: the database fails over; replicas die and roll -----------------------------
# The service names both servers and connects only to the one that accepts writes; the checks
# read from it too. The ports stay the same across failovers (pg_failover swaps the roles).
FAILOVER_URL="jdbc:postgresql://$PG_HOST:$PG_PORT,$PG_HOST:$STANDBY_PORT/postgres?targetServerType=primary"
FAILOVER_GAP=${CHAOS_FAILOVER_GAP:-8}   # seconds without a primary, as while a managed failover decides
READY_CACHE_MS=3000                     # genledger.health.cache-for: readiness may lag a change by that

ready_poll() {   # readiness of the replica on MGMT_PORT every 100 ms: "<epoch ms> <status>" lines
  local code
  while :; do   # stamped when the answer came: an UP answer then shows a check made before it
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 "localhost:$MGMT_PORT/q/health/ready" || true)   # 000: no answer
    echo "$(date +%s%3N) $code"
    sleep 0.1
  done
}

GONE_PORT="" FAILOVER_STALL=0
fault_failover() {   # the primary's host vanishes; FAILOVER_GAP s later the standby is promoted
  ready_poll > "$WORK/ready.log" & POLL_PID=$!
  sleep 1
  if [ "$FAILOVER_STALL" != 0 ]; then   # the standby falls behind first: the walsender stops sending
    kill -STOP $(pgrep -P "$(head -1 "$PG_DATA/postmaster.pid")" -f walsender)
    sleep "$FAILOVER_STALL"
  fi
  T_KILL=$(date +%s%3N)
  # As a machine that is gone: no reset, no FIN, nothing answers on its port (with a namespace),
  # so the service's open connections and new attempts wait for their timeouts; every process killed.
  if [ "$NETNS" = 1 ]; then
    GONE_PORT=$PG_PORT
    in_ns iptables -I INPUT -p tcp --dport "$GONE_PORT" -j DROP; in_ns iptables -I OUTPUT -p tcp --sport "$GONE_PORT" -j DROP
  fi
  pg_kill_primary
  sleep "$FAILOVER_GAP"
  T_PROMOTE=$(date +%s%3N); pg_failover
  T_PROMOTED=$(date +%s%3N)
  log "primary killed, standby promoted after $((T_PROMOTE - T_KILL)) ms (promotion took $((T_PROMOTED - T_PROMOTE)) ms)"
}

# Readiness around the failover, the writes' return, and what the old primary had that the new one
# lacks: commits on its timeline after the promoted standby's switch point (pg_waldump of its WAL).
fault_failover_report() {
  kill "$POLL_PID" 2>/dev/null || true; wait "$POLL_PID" 2>/dev/null || true; POLL_PID=""
  if [ -n "$GONE_PORT" ]; then
    in_ns iptables -D INPUT -p tcp --dport "$GONE_PORT" -j DROP; in_ns iptables -D OUTPUT -p tcp --sport "$GONE_PORT" -j DROP
    GONE_PORT=""
  fi
  local history tli switch commits=null
  history=$(ls "$PG_DATA"/pg_wal/*.history | sort | tail -1)
  read -r tli switch _ < <(tail -1 "$history")
  commits=$(runuser -u postgres -- "$PG_BIN/pg_waldump" -p "$STANDBY_DATA/pg_wal" -t "$tli" -s "$switch" -r Transaction \
    2>/dev/null | grep -c 'COMMIT' || true)
  awk -v kill="$T_KILL" -v promoting="$T_PROMOTE" -v promote="$T_PROMOTED" -v cache="$READY_CACHE_MS" -v commits="$commits" -v switch="$switch" \
    -v async="$([[ $1 = failover-async* ]] && echo true || echo false)" '
    { t = $1 - kill; up = ($2 == 200) }
    NR == 1 || up != last { trans = trans (trans == "" ? "" : ",") "[" t "," $2 "]"; last = up }
    $1 > kill && !up && down == "" { down = t }
    $1 > kill + cache + 1500 && $1 < promoting && up { upWithout++ }
    $1 > promote && up && back == "" { back = $1 - promote }
    END {
      printf "{\"fault_at\":%s,\"promoted_after_ms\":%d,\"ready_down_after_kill_ms\":%s,", kill, promote - kill, down == "" ? "null" : down
      printf "\"ready_up_without_primary\":%d,\"ready_up_after_promotion_ms\":%s,", upWithout, back == "" ? "null" : back
      printf "\"ready_transitions\":[%s],\"switch_lsn\":\"%s\",\"old_primary_commits_after_switch\":%s,", trans, switch, commits
      printf "\"loss_allowed\":%s}\n", async
    }' "$WORK/ready.log"
}

fault_replica_kill() { kill -KILL "$APP2_PID"; wait "$APP2_PID" 2>/dev/null || true; sleep 3; app2_start "$FAILOVER_URL"; app2_wait_ready 300 >/dev/null; }
fault_replica_roll() { kill -TERM "$APP2_PID"; wait "$APP2_PID" 2>/dev/null || true; app2_start "$FAILOVER_URL"; app2_wait_ready 300 >/dev/null; }

CHECK_JDBC="$FAILOVER_URL&ApplicationName=chaos-check"
if [[ failover-sync =~ ${CHAOS_ONLY:-.} ]] || [[ failover-async =~ ${CHAOS_ONLY:-.} ]]; then
  log "fleet: a standby of the primary (pg_basebackup), synchronous"
  pg_standby_start; pg_replication sync
  app_start jvm "$FAILOVER_URL"; app_wait_ready 300 >/dev/null
  client setup --users=40 --balance=1000000 --out="$WORK/users.txt" >&2   # also warms this process up
  phase failover-sync fault_failover
  events_phase "the synchronous failover"
  if [ "$MODE" != short ]; then
    log "fleet: a standby of the new primary, asynchronous"
    pg_standby_start; pg_replication async
    phase failover-async fault_failover
    # A standby 2 s behind when the primary dies (its walsender stopped 2 s before the kill): what
    # asynchronous replication loses is what the standby had not received; synchronous loses nothing.
    FAILOVER_STALL=2
    pg_standby_start; pg_replication async
    phase failover-async-standby-2s-behind fault_failover
    pg_standby_start; pg_replication sync
    phase failover-sync-standby-2s-behind fault_failover
    FAILOVER_STALL=0
  fi
  app_stop
fi
if [ "$MODE" != short ] && [[ replica- =~ ${CHAOS_ONLY:-.} ]]; then
  log "fleet: two replicas behind HAProxy"
  app_start jvm "$FAILOVER_URL"; app2_start "$FAILOVER_URL"
  app_wait_ready 300 >/dev/null; app2_wait_ready 300 >/dev/null   # two JVMs starting at once
  lb_start
  BASE_PORT=$LB_PORT
  client setup --users=40 --balance=1000000 --out="$WORK/users.txt" >&2
  phase replica-sigkill fault_replica_kill
  phase replica-rolled fault_replica_roll
  BASE_PORT=""
  lb_stop; app2_stop; app_stop
fi

# --- report ------------------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH_ROOT/bench/results"
jq -s --arg mode "$MODE" --argjson secs "$SECS" --argjson fuzz "$FUZZ" --arg stamp "$STAMP" \
  '{date: $stamp, mode: $mode, seconds_per_fault: $secs, faults: ., fuzz: $fuzz}' "$RESULTS" > "$BENCH_ROOT/bench/results/chaos-$STAMP.json"
echo
echo "genledger chaos ($MODE, $SECS s of load per fault, $CLIENTS clients) $STAMP"
echo
echo "| fault | requests | 2xx | 4xx | 503 | other 5xx | no answer | max ms | recovery ms | acked | jobs (captured) | lost | duplicated | rejected but applied | replay ≠ | idle in tx | reconciliation | lots expired | lot mismatches |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
jq -r 'if .blocked then "| \(.fault) | blocked: \(.blocked) ||||||||||||||||||"
  else "| \(.fault) | \(.requests) | \(.s2xx) | \(.s4xx) | \(.s503) | \(.s5xx_other) | \(.no_answer) | \(.max_latency_ms) | \(.recovery_ms) | \(.acknowledged) | \(.jobs) (\(.jobs_captured)) | \(.lost) | \(.duplicated) | \(.rejected_but_applied) | \(.replay_mismatches) | \(.idle_in_transaction) | \(.reconciliation_mismatches) mismatches | \(.lots_expired) | \(.lot_mismatches) |" end' "$RESULTS"
echo
jq -r '"503 causes: " + ([.[] | select(.causes_503) | "\(.fault) \(.causes_503 | to_entries | map("\(.key)=\(.value)") | join(","))"] | join("; "))' -s "$RESULTS"
jq -r '"4xx problem types: " + ([.[] | select((.problems_4xx // {}) | length > 0)
  | "\(.fault) \(.problems_4xx | to_entries | map("\(.key)=\(.value)") | join(","))"] | join("; "))' -s "$RESULTS"
if jq -se 'any(.[]; .fault_at or .fault == "replica-sigkill")' "$RESULTS" >/dev/null; then
  echo
  echo "| fleet fault | promoted after ms | readiness DOWN after ms | UP without a primary | UP after promotion ms | first write after ms | last failed attempt after ms | balancer 5xx | acked lost | lost acked within ms of the kill | old primary's commits not on the new one |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r 'select(.fault_at or .fault == "replica-sigkill" or .fault == "replica-rolled")
    | (if .fault_at then .fault_at + .promoted_after_ms else null end) as $p
    | "| \(.fault) | \(.promoted_after_ms // "-") | \(.ready_down_after_kill_ms // "-") | \(.ready_up_without_primary // "-") | \(.ready_up_after_promotion_ms // "-") | \(.recovery_ms) | \(if $p and .last_failure_at then ([.last_failure_at - $p, 0] | max) else "-" end) | \(.s5xx_balancer) | \(.lost) | \(if .lost_acked_from then .fault_at - .lost_acked_from else "-" end) | \(.old_primary_commits_after_switch // "-") |"' "$RESULTS"
  jq -r 'select(.ready_transitions) | "readiness \(.fault) (ms from the kill, status): \(.ready_transitions | map("\(.[0]) \(.[1])") | join(", "))"' "$RESULTS"
fi
echo
jq -r '"fuzz: \(.operations) operations, \(.requests) requests, statuses \(.by_status | tostring), 5xx \(.s5xx), stack traces \(.stack_traces), data changed by a rejected request \(.data_changed_by_rejected)", (.failures[]? | "  " + .)' <<< "$FUZZ"
while read -r line; do echo "events after $line"; done < "$EVENTS_RESULTS"
echo "results: bench/results/chaos-$STAMP.json (logs in $WORK)"

# Asynchronous replication may lose acknowledged operations (that is what it measures), never apply
# one twice. A failover must turn readiness DOWN while no primary answers and UP after, and bring
# writes back within 10 s of the promotion; a rolled replica fails no request.
BAD=$(jq -s '[.[] | select(.blocked | not) | (if .error then 1 else 0 end) + .duplicated
  + (if .loss_allowed then 0 else .lost + .ack_differs_from_ledger + .replay_mismatches end)
  + .rejected_but_applied + .idle_in_transaction + .reconciliation_mismatches + .lot_mismatches + .hung_past_deadline
  + .s5xx_other + (if .recovery_ms == null then 1 else 0 end)
  + (if .fault_at then .ready_up_without_primary + (if .ready_down_after_kill_ms == null then 1 else 0 end)
       + (if .ready_up_after_promotion_ms == null then 1 else 0 end) + (if .recovery_ms > 10000 then 1 else 0 end) else 0 end)
  + (if .fault == "replica-rolled" then .s503 + .s5xx_balancer + .no_answer else 0 end)] | add' "$RESULTS")
BAD=$(( BAD + $(jq '(.s5xx // 1) + (.stack_traces // 0) + (.data_changed_by_rejected // 0)' <<< "$FUZZ") ))
BAD=$(( BAD + $(grep -c ' FAILED$' "$EVENTS_RESULTS" || true) ))
if [ "$BAD" -ne 0 ]; then echo "CHAOS: FAILED ($BAD problems)"; exit 1; fi
echo "CHAOS: PASSED"
