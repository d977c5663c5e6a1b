#!/usr/bin/env bash
# After a chaos run: every committed change has its event, no event exists for anything that did
# not commit, and the receiver (bench/src/WebhookReceiver.java) got every event exactly as stored,
# none that was never stored. Source it after bench/lib.sh and call events_check <events.jsonl>
# (the receiver's file) once the deliveries have drained; it prints what it found and returns 1 on
# any miss. Needs jq.
#   Before the run:  "$JAVA_HOME/bin/java" bench/src/WebhookReceiver.java 19650 "$SECRET" "$WORK/events.jsonl" &  (JDK 21+)
#                    curl ... POST /v1/admin/webhooks {"url": "http://127.0.0.1:19650/", "secret": "$SECRET"}
#   (the service needs GENLEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true to send to 127.0.0.1)

events_drained() {   # events_drained [seconds] [endpoint id]: waits until no delivery (of the endpoint) is pending
  local deadline=$((SECONDS + ${1:-120})) only=""
  if [ -n "${2:-}" ]; then only="AND endpoint_id = '$2'"; fi
  while [ "$(sql "SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING' $only")" != 0 ]; do
    [ $SECONDS -lt $deadline ] || { log "events: deliveries still pending after ${1:-120}s"; return 1; }
    sleep 1
  done
}

events_check() {
  local received=$1 fail=0 n
  n=$(sql "SELECT count(*) FROM credit_ledger l WHERE l.kind = 'GRANT' AND NOT EXISTS (
             SELECT 1 FROM events e WHERE e.type = 'credits.granted' AND (e.data ->> 'id')::bigint = l.id)")
  [ "$n" = 0 ] || { log "events: $n committed grants without their event"; fail=1; }
  n=$(sql "SELECT count(*) FROM generation_jobs j WHERE j.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND NOT EXISTS (
             SELECT 1 FROM events e WHERE e.type IN ('job.succeeded', 'job.failed', 'job.cancelled', 'hold.expired')
             AND e.data ->> 'id' = j.id::text)")
  [ "$n" = 0 ] || { log "events: $n settled jobs without their event"; fail=1; }
  n=$(sql "SELECT count(*) FROM (SELECT e.data ->> 'id' FROM events e WHERE e.type LIKE 'job.%' OR e.type = 'hold.expired'
             GROUP BY 1 HAVING count(*) > 1) twice")
  [ "$n" = 0 ] || { log "events: $n jobs announced as settled more than once"; fail=1; }
  n=$(sql "SELECT count(*) FROM events e WHERE e.type = 'credits.granted' AND NOT EXISTS (
             SELECT 1 FROM credit_ledger l WHERE l.id = (e.data ->> 'id')::bigint)")
  [ "$n" = 0 ] || { log "events: $n grant events whose ledger row never committed"; fail=1; }
  # what the receiver got against what is stored: ids, and each body as stored
  jq -c '{id, type, userId}' "$received" | sort -u > "$WORK/events-received.jsonl"
  sql "SELECT json_build_object('id', id, 'type', type, 'userId', user_id) FROM events ORDER BY id" \
    | jq -c . | sort -u > "$WORK/events-stored.jsonl"
  n=$(comm -13 "$WORK/events-received.jsonl" "$WORK/events-stored.jsonl" | wc -l)
  [ "$n" = 0 ] || { log "events: $n stored events never received"; fail=1; }
  n=$(comm -23 "$WORK/events-received.jsonl" "$WORK/events-stored.jsonl" | wc -l)
  [ "$n" = 0 ] || { log "events: $n received events that are not stored (announced but never committed)"; fail=1; }
  log "events: $(wc -l < "$WORK/events-stored.jsonl") stored, $(wc -l < "$received") deliveries received ($(wc -l < "$WORK/events-received.jsonl") distinct)"
  return $fail
}
