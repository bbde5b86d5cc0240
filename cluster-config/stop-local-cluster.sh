#!/usr/bin/env bash
# Stops the nodes started by start-local-cluster.sh with SIGTERM: each leaves the cluster gracefully (CoordinatedShutdown),
# its partitions move to the nodes still running. Waits up to 60 s per node.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN=${JUNCTION_CLUSTER_DIR:-cluster-run}
for i in 2 1 0; do
  pidfile="$RUN/node-$i.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "node $i (pid $pid) still running after 60 s" >&2
      continue
    fi
    echo "node $i stopped"
  fi
  rm -f "$pidfile"
done
