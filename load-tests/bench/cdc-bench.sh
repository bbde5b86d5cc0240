#!/usr/bin/env bash
# PostgreSQL change data capture -> Junction -> HTTP delivered/s, beside the outbox figure. Needs: a built tree
# (mvn -B -q package -DskipTests, which leaves the jdbc plugin in connectors/jdbc/target/plugin and LoadTarget in
# load-tests/target/test-classes) and PostgreSQL (trust auth, wal_level = logical) on 127.0.0.1:5432. Makes two databases of
# its own (the journal and the captured table's) and a replication slot, all dropped at the end. Prints the drain rate of a
# backlog of row changes waiting in the slot.
#   load-tests/bench/cdc-bench.sh [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
WARM=${WARM:-20000}
DB=jbench_cdc
SRC=jbench_cdc_src
SLOT=jbench_cdc_slot
TARGET_PORT=${TARGET_PORT:-19340}
HTTP_PORT=${HTTP_PORT:-18340}
work=$(mktemp -d)
pg() { psql -q -h 127.0.0.1 -U postgres "$@"; }
drop_slot() { # its reader first: a slot left behind keeps WAL for ever
  for _ in $(seq 1 20); do
    pg -d postgres -tAc "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '$SLOT' AND active_pid IS NOT NULL" >/dev/null
    pg -d postgres -tAc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null 2>&1 && return
    sleep 0.5
  done
}
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true; drop_slot
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; dropdb -h 127.0.0.1 -U postgres --if-exists --force "$SRC"; }
trap cleanup EXIT
[ "$(pg -d postgres -tAc 'show wal_level')" = logical ] || { echo "PostgreSQL needs wal_level = logical"; exit 1; }
drop_slot
for d in "$DB" "$SRC"; do dropdb -h 127.0.0.1 -U postgres --if-exists --force "$d"; createdb -h 127.0.0.1 -U postgres "$d"; done
pg -d "$SRC" -c "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, status TEXT NOT NULL, total NUMERIC(10,2) NOT NULL, lines JSONB NOT NULL)"

# n rows with ids from+1 .. from+n, inserted in one transaction: n changes
insert() { pg -d "$SRC" -c "INSERT INTO orders SELECT $1 + g, 'ada@example.com', 'new', 45.50,
  jsonb_build_array(jsonb_build_object('sku', 'LAMP-01', 'qty', 2, 'price', 19.5), jsonb_build_object('sku', 'BULB-E27', 'qty', 4, 'price', 3.25))
  FROM generate_series(1, $2) g"; }

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/jdbc/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_CDC_URL=jdbc:postgresql://127.0.0.1:5432/$SRC BENCH_CDC_SLOT=$SLOT \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/cdc.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'connected: replication slot' "$work/server.log"; do sleep 1; kill -0 "$server" || { cat "$work/server.log"; exit 1; }; done

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }

echo "warm-up: $WARM inserts"
insert 0 "$WARM"
wait_keys "$WARM"
sleep 5
echo "backlog: $N inserts committed while the server is stopped, then captured"
kill -STOP "$server"
insert "$WARM" "$N"
start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
sleep 2
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); slot: $(pg -d postgres -tAc "SELECT active, confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = '$SLOT'"); target: $(tail -1 "$work/target.log")"
