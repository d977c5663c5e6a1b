#!/usr/bin/env bash
# The README's run command, stopped the way a newcomer stops it: Ctrl-C (SIGINT to the terminal's
# process group) while requests are in flight. Passes when no request failed on the database, the
# service and its database layer logged no error or warning while stopping, the embedded database
# stopped after the service, not under it, and Maven exited 0. Then once more, stopped the way a
# supervisor or an IDE stops it: SIGTERM to Maven alone, which must stop the service and its
# database the same way and leave no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/genledger-local-run.XXXXXX)
fail() { echo "local run check: FAILED: $*" >&2; echo "(logs in $WORK)" >&2; exit 1; }

# Requests that reach it once it is stopping get a plain 503 from the HTTP layer, or a refused or
# reset connection when they race its listener closing: what any server without a balancer in front
# answers. What must never happen is a request failing on the database (a problem+json 5xx).
# Job control gives the run a process group of its own, as a terminal would, with SIGINT not ignored.
PG_LOG=target/embedded-postgres.log
start_run() {   # start_run <log>: sets RUN (Maven's pid, leader of its own process group) and PG_LOG_START
  PG_LOG_START=$( [ -f "$PG_LOG" ] && wc -l < "$PG_LOG" || echo 0)
  set -m
  ./mvnw -B -ntp -Plocal > "$1" 2>&1 &
  RUN=$!
  set +m
  trap 'kill -KILL -- -$RUN 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null localhost:9000/q/health/ready && return
    kill -0 "$RUN" 2>/dev/null || fail "the service did not start: $(tail -20 "$1")"
    sleep 1
  done
  fail "not ready after 300 s"
}
# stopped_in_order <log> <Maven's exit status>: prints "service at T1, its database at T2"
stopped_in_order() {
  [ "$2" -eq 0 ] || fail "Maven exited $2, not 0: $(tail -5 "$1")"
  grep -q 'BUILD SUCCESS' "$1" || fail "Maven did not report BUILD SUCCESS: $(tail -5 "$1")"
  local stopped db_down
  stopped=$(grep -E 'genledger stopped in' "$1" | grep -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' | tail -1)
  db_down=$(tail -n +"$((PG_LOG_START + 1))" "$PG_LOG" 2>/dev/null | grep -E 'database system is shut down' \
    | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' | tail -1)
  [ -n "$stopped" ] || fail "the service never logged that it stopped"
  [ -n "$db_down" ] || fail "the embedded database never logged its shutdown"
  [[ "$stopped" < "$db_down" ]] || fail "the database stopped at $db_down, before the service ($stopped)"
  # The service's and the database layers' own complaints (genledger, Agroal, Narayana, Hibernate).
  sed -n '/shutting down/,$p' "$1" | grep -E ' (ERROR|WARN) +\[(de\.ge|io\.ag|co\.ar|or\.hi)\.' \
    && fail "the service or its database layer complained while stopping"
  echo "service at $stopped, its database at $db_down"
}
start_run "$WORK/run.log"

TOKEN=$(dev/token.sh service)
api() { curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
USER_ID=$(api -X POST localhost:8080/v1/users -d "{\"email\":\"ctrl-c-$$@example.com\"}" | jq -r .id)
api -o /dev/null -X POST "localhost:8080/v1/users/$USER_ID/credits/grant" -H "Idempotency-Key: ctrl-c-$$" \
  -d '{"amount":100000,"reason":"ctrl-c check"}'

# Four clients spend until the service refuses connections; each line: curl exit code, HTTP status,
# the problem type of an error.
for c in 1 2 3 4; do
  (for i in $(seq 1 2000); do
     code=$(api -o "$WORK/body-$c" -w '%{http_code}' -m 10 -X POST "localhost:8080/v1/users/$USER_ID/credits/spend" \
       -H "Idempotency-Key: ctrl-c-$$-$c-$i" -d '{"amount":1,"reason":"ctrl-c check"}') && rc=0 || rc=$?
     type=$( [ "$rc" = 0 ] && [ "${code:0:1}" != 2 ] && jq -r '.type // empty' "$WORK/body-$c" 2>/dev/null || true)
     echo "$rc $code ${type##*/}"
     [ "$rc" = 7 ] && break   # refused: the service is gone
   done > "$WORK/client-$c.txt") &
done
sleep 3
kill -INT -- -"$RUN"
wait "$RUN" && RUN_RC=0 || RUN_RC=$?
wait
trap - EXIT

cat "$WORK"/client-*.txt | sort | uniq -c | sed 's/^/  answers (curl exit, status): /'
BAD=$(cat "$WORK"/client-*.txt | grep -vcE '^(0 2[0-9][0-9] |0 503 |(7|52|56) 000 )$' || true)
[ "$BAD" -eq 0 ] || fail "$BAD requests failed on the way down (a problem+json error, or no answer in time)"
grep -q '^0 201 $' "$WORK"/client-*.txt || fail "no spend was answered before the stop"
CTRL_C=$(stopped_in_order "$WORK/run.log" "$RUN_RC")

start_run "$WORK/term.log"
kill -TERM "$RUN"
wait "$RUN" && RUN_RC=0 || RUN_RC=$?
trap - EXIT
TERM_STOP=$(stopped_in_order "$WORK/term.log" "$RUN_RC")
LEFT=$(pgrep -g "$RUN" || true)
[ -z "$LEFT" ] || { kill -KILL -- -"$RUN" 2>/dev/null || true; fail "processes left running after SIGTERM to Maven: $LEFT"; }
echo "local run check: passed (Ctrl-C: $CTRL_C; SIGTERM to Maven: $TERM_STOP; Maven exited 0 both times)"
