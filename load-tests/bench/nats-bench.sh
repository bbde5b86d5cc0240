#!/usr/bin/env bash
# NATS JetStream -> Junction -> HTTP delivered/s, beside the webhook, AMQP and MQTT figures. Needs: a built tree
# (mvn -B -q package -DskipTests), the NATS server with JetStream on 127.0.0.1:4222, PostgreSQL (trust auth). Makes a stream
# of its own (deleted at the end). Prints the drain rate of a backlog.
#   load-tests/bench/nats-bench.sh [messages=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=50000
DB=jbench_nats
STREAM=BENCH_$$
TARGET_PORT=${TARGET_PORT:-19320}
HTTP_PORT=${HTTP_PORT:-18320}
JNATS=$(ls connectors/nats/target/plugin/nats/lib/jnats-*.jar | head -1)
work=$(mktemp -d)
cat > "$work/Stream.java" <<JAVA
public class Stream { public static void main(String[] a) throws Exception {
  try (var nats = io.nats.client.Nats.connect("nats://127.0.0.1:4222")) { var jsm = nats.jetStreamManagement();
    if (a[0].equals("add")) jsm.addStream(io.nats.client.api.StreamConfiguration.builder().name(a[1]).subjects(a[1].toLowerCase() + ".orders").build());
    else jsm.deleteStream(a[1]); } } }
JAVA
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true; java -cp "$JNATS" "$work/Stream.java" delete "$STREAM" || true; dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; }
trap cleanup EXIT
java -cp "$JNATS" "$work/Stream.java" add "$STREAM"
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/nats/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_NATS_STREAM=$STREAM \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/nats.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; done

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }
publish() { java -cp "$JNATS" load-tests/bench/NatsPublish.java "$(echo "$STREAM" | tr 'A-Z' 'a-z').orders" "$1" "$2"; }

echo "warm-up: $WARM messages"
publish warm "$WARM"
wait_keys "$WARM"
sleep 5
echo "backlog: $N messages published first (kept by the stream), then drained"
kill -STOP "$server"
publish run "$N"
start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); target: $(tail -1 "$work/target.log")"
