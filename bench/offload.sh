#!/usr/bin/env bash
# Offload ratio under churn through the real placement code (classification verticle + registry + policy).
# Usage: bench/offload.sh [viewers=10000] [N=2] [leaveRate=0.3] [relayFailRate=0.05] [policy=measured] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" p2pedge.bench.OffloadSimulation "$@"
