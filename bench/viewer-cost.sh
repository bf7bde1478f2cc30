#!/usr/bin/env bash
# Edge CPU and memory per viewer on the per-viewer webrtc-java media path.
# Builds the edge jar and the test classes, starts the edge, attaches N webrtc-java viewers (default 1 5 10 20)
# and prints edge CPU%, RSS and delivered frames/s per viewer. Usage: bench/viewer-cost.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp package test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp=$(cat target/bench-classpath.txt)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$cp" p2pedge.bench.ViewerCostBench target/p2p-edge.jar "$@"
