#!/usr/bin/env bash
# Kafka -> Junction -> HTTP delivered/s, beside the webhook, AMQP, MQTT and NATS figures. Needs: a built tree
# (mvn -B -q package -DskipTests, which also copies Kafka's broker jars to connectors/kafka-broker/target/lib) and
# PostgreSQL (trust auth). Runs a single-node KRaft broker of its own from those jars, in a directory of its own (removed at
# the end), with a topic of 4 partitions. Prints the drain rate of a backlog.
#   load-tests/bench/kafka-bench.sh [messages=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=50000
DB=jbench_kafka
TOPIC=bench-orders
TARGET_PORT=${TARGET_PORT:-19330}
HTTP_PORT=${HTTP_PORT:-18330}
KAFKA_PORT=${KAFKA_PORT:-19092}
CONTROLLER_PORT=${CONTROLLER_PORT:-19093}
LIB=connectors/kafka-broker/target/lib
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
work=$(mktemp -d)
cleanup() { kill "${server:-}" "${target:-}" "${broker:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; }
trap cleanup EXIT

cat > "$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/data
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
kafka() { java -Xmx768m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$LIB/*" "$@"; }
kafka kafka.tools.StorageTool format -t "$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" -c "$work/server.properties" > /dev/null
kafka kafka.Kafka "$work/server.properties" > "$work/broker.log" 2>&1 & broker=$!
until (exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null; do sleep 1; done
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$LIB/*" load-tests/bench/KafkaPublish.java "$BOOTSTRAP" create "$TOPIC" 4
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/kafka/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_KAFKA_BOOTSTRAP=$BOOTSTRAP BENCH_KAFKA_TOPIC=$TOPIC \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/kafka.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; done

keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }
publish() { java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$LIB/*" load-tests/bench/KafkaPublish.java "$BOOTSTRAP" publish "$TOPIC" "$1" "$2"; }

echo "warm-up: $WARM messages"
publish warm "$WARM"
wait_keys "$WARM"
sleep 5
echo "backlog: $N messages produced first (kept by the topic), then drained"
kill -STOP "$server"
publish run "$N"
start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); target: $(tail -1 "$work/target.log")"
