#!/usr/bin/env bash
# RabbitMQ -> Junction -> HTTP delivered/s, beside the webhook figure. Needs: a built tree (mvn -B -q package -DskipTests),
# RabbitMQ with rabbitmqctl and amqp-tools (amqp-publish), PostgreSQL (trust auth). Prints the drain rate of a backlog.
#   load-tests/bench/amqp-bench.sh [messages=200000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
WARM=50000
VHOST=junction-bench
DB=jbench_amqp
TARGET_PORT=${TARGET_PORT:-19300}
HTTP_PORT=${HTTP_PORT:-18300}
work=$(mktemp -d)
cleanup() { kill "${server:-}" "${target:-}" 2>/dev/null || true; wait 2>/dev/null || true; dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; rabbitmqctl -q delete_vhost "$VHOST" || true; }
trap cleanup EXIT

rabbitmqctl -q delete_vhost "$VHOST" 2>/dev/null || true
rabbitmqctl -q add_vhost "$VHOST" && rabbitmqctl -q set_permissions -p "$VHOST" guest ".*" ".*" ".*"
amqp-declare-queue -u "amqp://guest:guest@127.0.0.1:5672/$VHOST" -q bench.orders -d >/dev/null
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"

java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget "$TARGET_PORT" > "$work/target.log" & target=$!
JUNCTION_HTTP_PORT=$HTTP_PORT JUNCTION_NODE_PORT=0 JUNCTION_MGMT_PORT=0 JUNCTION_PLUGINS_DIR=connectors/amqp/target/plugin \
LOAD_TARGET_URL=http://127.0.0.1:$TARGET_PORT BENCH_AMQP_URI=amqp://guest:guest@127.0.0.1:5672/$VHOST \
JUNCTION_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB JUNCTION_DB_USER=postgres \
  java -Xmx2g -jar server/target/junction-server.jar load-tests/bench/amqp.conf > "$work/server.log" 2>&1 & server=$!
until grep -q 'Junction started' "$work/server.log"; do sleep 1; done

orders() { # $1 prefix, $2 count: one quickstart order per line, each with its own id
  awk -v p="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%s-%d\",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"},\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}\n", p, i }'
}
keys() { tail -1 "$work/target.log" | sed -E 's/.*keys=([0-9]+).*/\1/'; }
wait_keys() { until [ "$(keys 2>/dev/null || echo 0)" -ge "$1" ] 2>/dev/null; do sleep 1; done; }

echo "warm-up: $WARM messages"
orders warm "$WARM" | amqp-publish -u "amqp://guest:guest@127.0.0.1:5672/$VHOST" -r bench.orders -l -p -C application/json
wait_keys "$WARM"
sleep 5
echo "backlog: $N messages published first, then drained"
kill -STOP "$server"                      # the backlog builds up while the consumer is held
orders run "$N" | amqp-publish -u "amqp://guest:guest@127.0.0.1:5672/$VHOST" -r bench.orders -l -p -C application/json
before=$(keys); start=$(date +%s.%N)
kill -CONT "$server"
wait_keys $((WARM + N))
end=$(date +%s.%N)
echo "delivered $N in $(echo "$end - $start" | bc) s: $(echo "$N / ($end - $start)" | bc) delivered/s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
