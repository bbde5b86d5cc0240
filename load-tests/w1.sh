#!/usr/bin/env bash
# W1, end to end, in one command: webhook -> validate (JSON Schema) -> map (JSLT) -> HTTP target with the key, journal on
# PostgreSQL (a fresh database of its own, dropped at the end), load from wrk. Needs: a built tree
# (mvn -B -q package -DskipTests, which leaves LoadTarget in load-tests/target/test-classes), wrk, and PostgreSQL (trust auth)
# on 127.0.0.1:5432. Prints accepted/s and delivered/s at saturation, wrk's latency, lost and duplicate effects.
#   load-tests/w1.sh                          # metrics on (Junction's catalogue, the default)
#   JUNCTION_METRICS=off load-tests/w1.sh     # the same run with Kamon off
#   WARM=60 DURATION=30 CONNECTIONS=64 load-tests/w1.sh
#   HALF=1 load-tests/w1.sh                   # then Gatling's open model at half the saturation rate, held to the SLOs
#                                             # (ingest p99 <= P99 ms, default 20; under 1 % failed): PASS or FAIL
set -euo pipefail
cd "$(dirname "$0")/.."
WARM=${WARM:-60}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-64}
DB=jbench_w1
TARGET_PORT=${TARGET_PORT:-19341}
HTTP_PORT=${HTTP_PORT:-18341}
work=$(mktemp -d)
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; }
trap cleanup EXIT
dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/junction.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; kill -0 "$server" || { cat "$work/server.log"; exit 1; }; done

# LoadTarget prints requests= (every delivery attempt) and keys= (distinct idempotency keys) once a second.
field() { tail -1 "$work/target.log" | sed -E "s/.*$1=([0-9]+).*/\1/"; }
settle() { local last=-1 now; now=$(field keys); while [ "$now" != "$last" ]; do last=$now; sleep 3; now=$(field keys); done; }
accepted() { sed -nE 's/^answers: 202 accepted ([0-9]+).*/\1/p' "$1"; }

URL=http://127.0.0.1:$HTTP_PORT
RUN_ID=w1warm-$$ wrk -t1 -c32 -d"${WARM}s" -s load-tests/wrk/webhook.lua "$URL" > "$work/warm.txt"
settle
before=$(field keys)
start=$(date +%s.%N)
RUN_ID=w1sat-$$ wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s load-tests/wrk/webhook.lua --latency "$URL" > "$work/sat.txt"
during=$(field keys)
settle
end=$(date +%s.%N)
after=$(field keys)
requests=$(field requests)
sent=$(( $(accepted "$work/warm.txt") + $(accepted "$work/sat.txt") ))

echo "W1 on PostgreSQL, JUNCTION_METRICS=${JUNCTION_METRICS:-on}, $(date -u +%FT%TZ), $(nproc) cores, commit $(git rev-parse --short HEAD)"
grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%' "$work/sat.txt" | sed 's/^/  wrk: /'
echo "  accepted/s at saturation: $(( $(accepted "$work/sat.txt") / DURATION ))"
echo "  delivered/s during the run: $(( (during - before) / DURATION )); delivered $((after - before)) of $(accepted "$work/sat.txt") accepted, drained $(echo "$end - $start" | bc | cut -d. -f1) s after the run began"
# wrk counts only the answers it read: requests in flight when it stops may be accepted unseen, so keys delivered can exceed
# the 202s counted. Lost is counted only when fewer keys arrived than 202 answers were read.
lost=$(( sent > after ? sent - after : 0 ))
echo "  lost: $lost (202 answers read: $sent, distinct keys delivered: $after); duplicate effects: $(( requests - after )) (deliveries beyond one per key)"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${HALF:-0}" = 1 ]; then
  rate=$(( $(accepted "$work/sat.txt") / DURATION / 2 ))
  slo=PASS
  mvn -B gatling:test -pl load-tests -DbaseUrl="$URL" -Drate="$rate" -Dduration=60 -DrampUp=5 -DrunId=w1half-$$ \
    -Dp99="${P99:-20}" > "$work/half.txt" 2>&1 || slo=FAIL
  settle
  echo "  open model at half the saturation rate ($rate/s, 60 s): SLOs (ingest p99 <= ${P99:-20} ms, < 1 % failed): $slo"
  grep -E '> (response time (50th|99th) percentile|mean throughput)|^Global: ' "$work/half.txt" | tr -s ' ' | sed 's/^/  gatling: /'
  echo "  after it: distinct keys delivered $(field keys), deliveries $(field requests) (duplicate effects: $(( $(field requests) - $(field keys) )))"
fi
