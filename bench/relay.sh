#!/usr/bin/env bash
# The cost of one relay pull: 3 clustered edge processes, a WHIP publisher on edge A; join time on edge B when the
# viewer starts the pull (cold) against joining a running pull (warm); CPU of A, B and C with viewers on A
# itself and with the same audience on B and C (two pulls from A). Builds the jar and the test classes, then
# runs p2pedge.bench.RelayBench (environment: VIEWERS, COLD_JOINS, WARMUP_S, MEASURE_S; see its javadoc).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp package test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp=$(cat target/bench-classpath.txt)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$cp" p2pedge.bench.RelayBench target/p2p-edge.jar "$@"
