#!/usr/bin/env bash
# The README's run command, stopped the way a newcomer stops it: Ctrl-C (SIGINT to the terminal's
# process group) while requests are in flight. Passes when no request failed on the database, the
# service and its database layer logged no error or warning while stopping, and the embedded
# database stopped after the service, not under it.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/genledger-local-run.XXXXXX)
fail() { echo "local run check: FAILED: $*"; echo "(logs in $WORK)"; exit 1; }

# Requests that reach it once it is stopping get a plain 503 from the HTTP layer, or a refused or
# reset connection when they race its listener closing: what any server without a balancer in front
# answers. What must never happen is a request failing on the database (a problem+json 5xx).
# Job control gives the run a process group of its own, as a terminal would, with SIGINT not ignored.
PG_LOG=target/embedded-postgres.log
PG_LOG_START=$( [ -f "$PG_LOG" ] && wc -l < "$PG_LOG" || echo 0)
set -m
./mvnw -B -ntp -Plocal > "$WORK/run.log" 2>&1 &
RUN=$!
set +m
trap 'kill -KILL -- -$RUN 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null localhost:9000/q/health/ready && break
  kill -0 "$RUN" 2>/dev/null || fail "the service did not start: $(tail -20 "$WORK/run.log")"
  sleep 1
done
curl -sf -o /dev/null localhost:9000/q/health/ready || fail "not ready after 300 s"

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
wait
trap - EXIT

cat "$WORK"/client-*.txt | sort | uniq -c | sed 's/^/  answers (curl exit, status): /'
BAD=$(cat "$WORK"/client-*.txt | grep -vcE '^(0 2[0-9][0-9] |0 503 |(7|52|56) 000 )$' || true)
[ "$BAD" -eq 0 ] || fail "$BAD requests failed on the way down (a problem+json error, or no answer in time)"
grep -q '^0 201 $' "$WORK"/client-*.txt || fail "no spend was answered before the stop"
STOPPED=$(grep -E 'genledger stopped in' "$WORK/run.log" | grep -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' | tail -1)
DB_DOWN=$(tail -n +"$((PG_LOG_START + 1))" "$PG_LOG" 2>/dev/null | grep -E 'database system is shut down' \
  | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' | tail -1)
[ -n "$STOPPED" ] || fail "the service never logged that it stopped"
[ -n "$DB_DOWN" ] || fail "the embedded database never logged its shutdown"
[[ "$STOPPED" < "$DB_DOWN" ]] || fail "the database stopped at $DB_DOWN, before the service ($STOPPED)"
# The service's and the database layers' own complaints (genledger, Agroal, Narayana, Hibernate).
sed -n '/shutting down/,$p' "$WORK/run.log" | grep -E ' (ERROR|WARN) +\[(de\.ge|io\.ag|co\.ar|or\.hi)\.' \
  && fail "the service or its database layer complained while stopping"
echo "local run check: passed (service stopped at $STOPPED, its database at $DB_DOWN)"
