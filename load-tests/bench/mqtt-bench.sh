#!/usr/bin/env bash
# MQTT -> Junction -> HTTP delivered/s, beside the webhook and AMQP figures. Needs: a built tree (mvn -B -q package -DskipTests),
# mosquitto, PostgreSQL (trust auth). Runs a Mosquitto of its own (persistence on, no limit on an
# offline session's queue) on 127.0.0.1:18830, so a backlog can build up while the server is held. Prints the drain rate.
#   load-tests/bench/mqtt-bench.sh [messages=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=50000
DB=jbench_mqtt
TARGET_PORT=${TARGET_PORT:-19310}
HTTP_PORT=${HTTP_PORT:-18310}
work=$(mktemp -d)
cleanup() { kill -CONT "${server:-}" 2>/dev/null || true; kill "${server:-}" "${target:-}" "${broker:-}" 2>/dev/null || true; wait 2>/dev/null || true; dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; }
trap cleanup EXIT
printf 'listener 18830 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\nmax_queued_messages 0\nuser root\n' "$work" > "$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" > "$work/broker.log" 2>&1 & broker=$!
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/mqtt/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/mqtt.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; done
sleep 3 # the subscription is made just after the start

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }
PAHO=$(ls connectors/mqtt/target/plugin/mqtt/lib/org.eclipse.paho.mqttv5.client-*.jar | head -1)
# QoS 1 quickstart orders, each with its own id, waiting for PUBACKs (mosquitto_pub -l does not, and was cut off as out of memory)
publish() { java -cp "$PAHO" load-tests/bench/MqttPublish.java tcp://127.0.0.1:18830 bench/orders "$1" "$2"; }

echo "warm-up: $WARM messages"
publish warm "$WARM"
wait_keys "$WARM"
sleep 5
echo "backlog: $N messages published first (queued in the server's session), then drained"
kill -STOP "$server"
publish run "$N"
start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); target: $(tail -1 "$work/target.log")"
