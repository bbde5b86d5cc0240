#!/usr/bin/env bash
# HTTP API polled -> Junction -> HTTP delivered/s, beside the outbox and broker figures. Needs: a built tree
# (mvn -B -q package -DskipTests, which leaves LoadTarget in load-tests/target/test-classes) and PostgreSQL (trust auth) on
# 127.0.0.1:5432 for the journal (a database of its own, dropped at the end). Prints the drain rate of a backlog of orders
# added to the API at once, read by the poll source in pages of 1,000, and the runs that read it.
#   load-tests/bench/poll-bench.sh [orders=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=${WARM:-50000}
DB=jbench_poll
API_PORT=${API_PORT:-19331}
TARGET_PORT=${TARGET_PORT:-19332}
HTTP_PORT=${HTTP_PORT:-18331}
work=$(mktemp -d)
cleanup() { kill "${server:-}" "${target:-}" "${api:-}" 2>/dev/null || true; wait 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; }
trap cleanup EXIT
dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java load-tests/bench/PollApi.java "$API_PORT" "$WARM" > "$work/api.log" 2>&1 & api=$!
java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_POLL_URL=http://127.0.0.1:$API_PORT \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/poll.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; kill -0 "$server" || { cat "$work/server.log"; exit 1; }; done

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }

echo "warm-up: $WARM orders"
wait_keys "$WARM"
sleep 5
echo "backlog: $N orders added to the API at once, then polled"
start=$(date +%s.%N)
curl -sf -X POST "http://127.0.0.1:$API_PORT/add?n=$N" > /dev/null
wait_keys $((WARM + N))
end=$(date +%s.%N)
sleep 2
runs=$(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/runs?integration=orders-polled&limit=3")
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); target: $(tail -1 "$work/target.log"); last runs: $runs"
