#!/usr/bin/env bash
# Cluster of 3 edge processes: cross-edge placement latency (p50/p99) and time from kill -9 of an edge to all
# its orphaned clients served again. Usage: bench/cluster.sh [playersPerEdge=50]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp package test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" p2pedge.bench.ClusterBench target/p2p-edge.jar "$@"
