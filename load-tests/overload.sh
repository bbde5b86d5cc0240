#!/usr/bin/env bash
# Overload (#17): W1's pipeline (webhook -> validate -> map -> HTTP target with the key, journal on PostgreSQL) offered twice
# its saturation rate for DURATION seconds (default 300) in an open model (load-tests/bench/Overload.java: new requests do not
# wait for old ones, 10 s timeout each), then half the saturation rate for 90 s. Prints the answers of each phase (the excess
# must be 503 with Retry-After, never a timeout), the server's heap (largest used of its -Xmx, sampled every 5 s), lost
# (acknowledged keys that never reached the target), duplicate effects, and how soon after the overload every request was
# acknowledged again. Needs a built tree (mvn -B -q package -DskipTests), wrk and PostgreSQL (trust auth) on 127.0.0.1:5432.
#   load-tests/overload.sh
#   DURATION=60 HEAP=1g load-tests/overload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-300}
RECOVERY=${RECOVERY:-90}
HEAP=${HEAP:-1g}
DB=jbench_overload
TARGET_PORT=${TARGET_PORT:-19351}
HTTP_PORT=${HTTP_PORT:-18351}
work=$(mktemp -d)
cleanup() { kill "${sampler:-}" "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; }
trap cleanup EXIT
dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx"$HEAP" -jar server/target/junction-server.jar load-tests/bench/junction.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; kill -0 "$server" || { cat "$work/server.log"; exit 1; }; done

field() { tail -1 "$work/target.log" | sed -E "s/.*$1=([0-9]+).*/\1/"; }
settle() { local last=-1 now; now=$(field keys); while [ "$now" != "$last" ]; do last=$now; sleep 3; now=$(field keys); done; }
accepted() { sed -nE 's/^answers: 202 accepted ([0-9]+).*/\1/p' "$1"; }

URL=http://127.0.0.1:$HTTP_PORT
RUN_ID=ovwarm-$$ wrk -t1 -c32 -d30s -s load-tests/wrk/webhook.lua "$URL" > "$work/warm.txt"
RUN_ID=ovsat-$$ wrk -t1 -c64 -d30s -s load-tests/wrk/webhook.lua "$URL" > "$work/sat.txt"
settle
saturation=$(( $(accepted "$work/sat.txt") / 30 ))

# The heap: used (G1, garbage included, so an upper bound of what is live) every 5 s while the overload and recovery run.
max_heap_kb=$(( $(java -Xmx"$HEAP" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize /{print $4}') / 1024 ))
( while kill -0 "$server" 2>/dev/null; do
    jcmd "$server" GC.heap_info 2>/dev/null | sed -nE 's/.* used ([0-9]+)K.*/\1/p' | head -1; sleep 5; done ) > "$work/heap.txt" & sampler=$!

java load-tests/bench/Overload.java "$URL/webhooks/webshop/orders" $(( 2 * saturation )) "$DURATION" $(( saturation / 2 )) \
  "$RECOVERY" "ov-$$" > "$work/overload.txt" 2>&1
settle
kill "$sampler" 2>/dev/null || true
after=$(field keys)
requests=$(field requests)
acknowledged=$(( $(accepted "$work/warm.txt") + $(accepted "$work/sat.txt") + $(sed -nE 's/^acknowledged keys in all: ([0-9]+)/\1/p' "$work/overload.txt") ))
peak=$(sort -n "$work/heap.txt" | tail -1)

echo "Overload on PostgreSQL, $(date -u +%FT%TZ), $(nproc) cores, heap $HEAP, commit $(git rev-parse --short HEAD)"
echo "  saturation (wrk, 64 connections, 30 s): $saturation accepted/s; offered $(( 2 * saturation ))/s for $DURATION s, then $(( saturation / 2 ))/s for $RECOVERY s"
sed 's/^/  /' "$work/overload.txt" | grep -v '^  acknowledged keys'
echo "  heap: largest used $(( peak / 1024 )) MiB of $(( max_heap_kb / 1024 )) MiB ($(( 100 * peak / max_heap_kb )) %), sampled $(wc -l < "$work/heap.txt") times"
lost=$(( acknowledged > after ? acknowledged - after : 0 ))
echo "  lost: $lost (acknowledged: $acknowledged, distinct keys delivered: $after); duplicate effects: $(( requests - after ))"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  server log ERROR lines: $(grep -cE " ERROR " "$work/server.log" || true)"
