#!/usr/bin/env bash
# Renders docs/dashboard.png from real data: the packaged service against a local PostgreSQL,
# scraped every 2 s by a local Prometheus during a ~3 minute load with faults injected (killed
# backends, a held row lock, a database restart), then every panel of k8s/grafana-dashboard.json
# queried from Prometheus with its own PromQL and plotted with gnuplot.
#
# Needs: the jar (./mvnw package -DskipTests), Debian packages prometheus gnuplot-nox and a
# PostgreSQL server (PGBIN, default /usr/lib/postgresql/15/bin), openssl, python3.
# Usage: docs/render-dashboard.sh [seconds-of-load]
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_SECONDS=${1:-150}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
for tool in prometheus gnuplot openssl python3 psql; do
  command -v $tool >/dev/null || { echo "missing $tool (apt-get install prometheus gnuplot-nox postgresql-client)"; exit 1; }
done
[ -f target/quarkus-app/quarkus-run.jar ] || { echo "build first: ./mvnw package -DskipTests"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/genledger-render.XXXXXX); chmod 755 "$WORK"
PGPORT=$(free_port); HTTP=$(free_port); MGMT=$(free_port); PROM=$(free_port)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"; fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "PostgreSQL on $PGPORT"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U postgres >/dev/null
pg_start() { as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -o "-p $PGPORT -k $WORK/pg -c max_connections=100" -l "$WORK/pg/log" -w start >/dev/null; }
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null; }
pg_start
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qAt)

echo "genledger on $HTTP, management $MGMT"
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PGPORT/postgres QUARKUS_DATASOURCE_USERNAME=postgres \
QUARKUS_DATASOURCE_PASSWORD=unused QUARKUS_HTTP_PORT=$HTTP QUARKUS_MANAGEMENT_PORT=$MGMT \
MP_JWT_VERIFY_PUBLICKEY_LOCATION=dev/jwt/publicKey.pem MP_JWT_VERIFY_ISSUER=https://genledger.dev/local \
  "$JAVA" -jar target/quarkus-app/quarkus-run.jar > "$WORK/app.log" 2>&1 &
pids+=($!)
until curl -sf "localhost:$MGMT/q/health/ready" >/dev/null; do sleep 1; done

cat > "$WORK/prometheus.yml" <<YML
global: { scrape_interval: 2s, evaluation_interval: 2s }
scrape_configs:
  - job_name: genledger
    metrics_path: /q/metrics
    static_configs: [ { targets: ['127.0.0.1:$MGMT'] } ]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address=127.0.0.1:$PROM > "$WORK/prometheus.log" 2>&1 &
pids+=($!)
until curl -sf "localhost:$PROM/-/ready" >/dev/null; do sleep 1; done

# A service token signed with the dev key (the one the dev/test profiles trust).
b64() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64)
claims=$(printf '{"iss":"https://genledger.dev/local","sub":"load","upn":"load","groups":["service"],"iat":%d,"exp":%d}' "$now" $((now + 3600)) | b64)
sig=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign dev/jwt/privateKey.pem | b64)
TOKEN="$header.$claims.$sig"

START=$(date +%s)
python3 docs/load.py 127.0.0.1 "$HTTP" "$TOKEN" "$LOAD_SECONDS" 12 > "$WORK/load.out" &
LOAD=$!
at() { while [ $(( $(date +%s) - START )) -lt "$1" ]; do sleep 0.5; done; }
at $((LOAD_SECONDS * 25 / 100)); echo "fault: terminating the service's backends"
"${PSQL[@]}" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'genledger'"
at $((LOAD_SECONDS * 45 / 100)); echo "fault: a row lock held on every user for 4 s"
"${PSQL[@]}" -c "BEGIN; UPDATE users SET display_name = display_name; SELECT pg_sleep(4); COMMIT;" >/dev/null
at $((LOAD_SECONDS * 65 / 100)); echo "fault: PostgreSQL stopped for 8 s"
pg_stop; sleep 8; pg_start
wait $LOAD
END=$(date +%s)
echo "load: $(cat "$WORK/load.out")"
sleep 4
python3 docs/render_dashboard.py "http://127.0.0.1:$PROM" k8s/grafana-dashboard.json "$START" "$END" docs/dashboard.png
