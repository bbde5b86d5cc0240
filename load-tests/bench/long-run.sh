#!/usr/bin/env bash
# A long run through one node on PostgreSQL (issue #12): N million webhook messages with the quickstart's steps to LoadTarget,
# measured per million: delivered/s, heap after a full GC, journal and key-index table sizes; then a restart (recovery time
# of the partitions, time to the first delivery) and the cost of deduplicating keys that are no longer in memory.
#   load-tests/bench/long-run.sh [millions=5] [retention=10m]
# Needs a built tree (mvn -B -q package -DskipTests), wrk, PostgreSQL (trust auth), jcmd. Not a test: it takes an hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
MILLIONS=${1:-5}
RETENTION=${2:-10m}
DB=jlongrun
HTTP_PORT=${HTTP_PORT:-18500}
TARGET_PORT=${TARGET_PORT:-19500}
work=$(mktemp -d)
conf="$work/junction.conf"
sed "s#../../examples#$(pwd)/examples#g" load-tests/bench/junction.conf > "$conf"
cat >> "$conf" <<CONF
junction.inbox.retention = $RETENTION
junction.inbox.retention-check = 1m
CONF
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
start_server() { # a new start counts only when the log says so once more than before
  local starts; starts=$(grep -c 'Junction started' "$work/server.log" 2>/dev/null || true)
  JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT \
  JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
    java -Xmx2g -jar server/target/junction-server.jar "$conf" >> "$work/server.log" 2>&1 & server=$!
  until [ "$(grep -c 'Junction started' "$work/server.log")" -gt "${starts:-0}" ]; do sleep 0.2; done
}
keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
heap_mb() { jcmd "$server" GC.run >/dev/null; jcmd "$server" GC.heap_info | sed -nE 's/.*used ([0-9]+)K.*/\1/p' | head -1 | awk '{printf "%.0f", $1/1024}'; }
size_mb() { psql -h 127.0.0.1 -U postgres "$DB" -tAc "select round(pg_total_relation_size('$1')/1048576.0)"; }

start_server
printf '| million | delivered/s in it | heap after GC (MB) | event_journal (MB) | junction_inbox_keys (MB) | load average |\n|---|---|---|---|---|---|\n'
sent=0
for m in $(seq 1 "$MILLIONS"); do
  before=$(keys); t0=$(date +%s.%N)
  while [ $(( $(keys) - before )) -lt 1000000 ]; do
    RUN_ID=lr$m-$sent wrk -t1 -c64 -d30s -s load-tests/wrk/webhook.lua "http://127.0.0.1:$HTTP_PORT" > /dev/null; sent=$((sent + 1))
  done
  t1=$(date +%s.%N)
  printf '| %d | %.0f | %s | %s | %s | %s |\n' "$m" "$(echo "($(keys) - $before) / ($t1 - $t0)" | bc -l)" "$(heap_mb)" \
    "$(size_mb event_journal)" "$(size_mb junction_inbox_keys)" "$(cut -d' ' -f1 /proc/loadavg)"
done
sleep 30
echo "restart:"
kill "$server"; wait "$server" 2>/dev/null || true
t0=$(date +%s.%N); start_server; t1=$(date +%s.%N)
echo "- started (HTTP answering) in $(echo "$t1 - $t0" | bc) s; partitions recover on first use:"
t2=$(date +%s.%N); RUN_ID=after-restart wrk -t1 -c8 -d10s -s load-tests/wrk/webhook.lua --latency "http://127.0.0.1:$HTTP_PORT" | grep -E 'Requests/sec|99%'
echo "- dedup of keys no longer in memory (the first million's keys again: every one a duplicate, found in the key index):"
RUN_ID=lr1-0 wrk -t1 -c64 -d20s -s load-tests/wrk/webhook.lua --latency "http://127.0.0.1:$HTTP_PORT" | grep -E 'Requests/sec|50%|99%|answers'
echo "- fresh keys, the same way, for comparison:"
RUN_ID=fresh wrk -t1 -c64 -d20s -s load-tests/wrk/webhook.lua --latency "http://127.0.0.1:$HTTP_PORT" | grep -E 'Requests/sec|50%|99%|answers'
echo "server log: $work/server.log"
