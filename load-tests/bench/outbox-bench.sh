#!/usr/bin/env bash
# PostgreSQL outbox -> Junction -> HTTP delivered/s, beside the webhook and broker figures. Needs: a built tree
# (mvn -B -q package -DskipTests, which leaves the jdbc plugin in connectors/jdbc/target/plugin and LoadTarget in
# load-tests/target/test-classes) and PostgreSQL (trust auth) on 127.0.0.1:5432. Makes two databases of its own (the journal
# and the outbox's), dropped at the end. Prints the drain rate of a backlog of outbox rows and the rows left afterwards.
#   load-tests/bench/outbox-bench.sh [rows=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=${WARM:-50000}
DB=jbench_outbox
SRC=jbench_outbox_src
TARGET_PORT=${TARGET_PORT:-19330}
HTTP_PORT=${HTTP_PORT:-18330}
work=$(mktemp -d)
pg() { psql -q -h 127.0.0.1 -U postgres "$@"; }
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; dropdb -h 127.0.0.1 -U postgres --if-exists --force "$SRC"; }
trap cleanup EXIT
for d in "$DB" "$SRC"; do dropdb -h 127.0.0.1 -U postgres --if-exists --force "$d"; createdb -h 127.0.0.1 -U postgres "$d"; done
pg -d "$SRC" -c "CREATE TABLE outbox (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(100) NOT NULL, payload JSONB NOT NULL)"

# n quickstart orders keyed <prefix>-1 .. <prefix>-n, inserted in one transaction
insert() { pg -d "$SRC" -c "INSERT INTO outbox (event_id, payload) SELECT '$1-' || g, jsonb_build_object('id', '$1-' || g,
  'currency', 'EUR', 'customer', jsonb_build_object('email', 'ada@example.com', 'name', 'Ada Lovelace'),
  'lines', jsonb_build_array(jsonb_build_object('sku', 'LAMP-01', 'qty', 2, 'price', 19.5),
                             jsonb_build_object('sku', 'BULB-E27', 'qty', 4, 'price', 3.25))) FROM generate_series(1, $2) g"; }
left() { pg -d "$SRC" -tAc "SELECT COUNT(*) FROM outbox"; }

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/jdbc/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_OUTBOX_URL=jdbc:postgresql://127.0.0.1:5432/$SRC \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/outbox.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; kill -0 "$server" || { cat "$work/server.log"; exit 1; }; done

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }

echo "warm-up: $WARM rows"
insert warm "$WARM"
wait_keys "$WARM"
sleep 5
echo "backlog: $N rows committed first, then relayed"
kill -STOP "$server"
insert run "$N"
start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
sleep 2
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); rows left in the outbox: $(left); target: $(tail -1 "$work/target.log")"
