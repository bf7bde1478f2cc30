#!/usr/bin/env bash
# Cluster of 3 edge processes: cross-edge placement latency (p50/p99) and time from kill -9 of an edge to all
# its orphaned clients served again. Usage: bench/cluster.sh [playersPerEdge=300]; WARMUP (600 players a round), WARMUP_ROUNDS (80; the warm-up ends earlier once the edges' JIT has settled), EDGE_JAVA_OPTS (more JVM options for the edges)
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" ClusterBench target/p2p-edge.jar "$@"
