#!/usr/bin/env bash
# Starts a three-node Junction cluster on 127.0.0.1 sharing one PostgreSQL journal, every node on the same integration config.
#
#   cluster-config/start-local-cluster.sh <config>        e.g. load-tests/bench/junction.conf (HTTP target on 127.0.0.1:9100)
#   cluster-config/stop-local-cluster.sh
#
# Node i (0, 1, 2) gets remoting 17355+i, HTTP 8080+i, Pekko Management 7626+i; nodes 0 and 1 are the seeds. Each node is
# configured exactly as a production node is: the config file plus JUNCTION_NODE_PORT, JUNCTION_HTTP_PORT, JUNCTION_MGMT_PORT,
# JUNCTION_SEED_NODES and JUNCTION_DB_URL. The database (default jdbc:postgresql://127.0.0.1:5432/junction, user postgres;
# override with JUNCTION_DB_URL / JUNCTION_DB_USER / JUNCTION_DB_PASSWORD) is created if missing. Logs and pids go to
# ./cluster-run (JUNCTION_CLUSTER_DIR). Do not point three nodes at a config with a file target: they would share the file.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ]; then
  echo "usage: $0 <junction.conf>" >&2
  exit 2
fi
CONFIG=$1
RUN=${JUNCTION_CLUSTER_DIR:-cluster-run}
DB_URL=${JUNCTION_DB_URL:-jdbc:postgresql://127.0.0.1:5432/junction}
DB_USER=${JUNCTION_DB_USER:-postgres}
JAR=server/target/junction-server.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests

# jdbc:postgresql://host:port/db?params -> host, port, db
hostport=${DB_URL#jdbc:postgresql://}; hostport=${hostport%%/*}
db=${DB_URL#jdbc:postgresql://*/}; db=${db%%\?*}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5432
if ! psql -h "$host" -p "$port" -U "$DB_USER" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres | grep -q 1; then
  createdb -h "$host" -p "$port" -U "$DB_USER" "$db"
fi

mkdir -p "$RUN"
seeds="127.0.0.1:17355,127.0.0.1:17356"
for i in 0 1 2; do
  if [ -f "$RUN/node-$i.pid" ] && kill -0 "$(cat "$RUN/node-$i.pid")" 2>/dev/null; then
    echo "node $i is running already (pid $(cat "$RUN/node-$i.pid"))" >&2
    exit 1
  fi
  JUNCTION_NODE_PORT=$((17355 + i)) JUNCTION_HTTP_PORT=$((8080 + i)) JUNCTION_MGMT_PORT=$((7626 + i)) \
    JUNCTION_SEED_NODES=$seeds JUNCTION_DB_URL=$DB_URL JUNCTION_DB_USER=$DB_USER \
    JUNCTION_DATA_DIR="$RUN/node-$i" java -Xmx1g -jar "$JAR" "$CONFIG" > "$RUN/node-$i.log" 2>&1 &
  echo $! > "$RUN/node-$i.pid"
done

for i in 0 1 2; do
  for _ in $(seq 90); do
    if curl -sf "http://127.0.0.1:$((7626 + i))/ready" > /dev/null; then
      echo "node $i ready: webhooks http://127.0.0.1:$((8080 + i)), management http://127.0.0.1:$((7626 + i)) (pid $(cat "$RUN/node-$i.pid"))"
      continue 2
    fi
    if ! kill -0 "$(cat "$RUN/node-$i.pid")" 2>/dev/null; then
      echo "node $i exited; see $RUN/node-$i.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "node $i not ready after 90 s; see $RUN/node-$i.log" >&2
  exit 1
done
