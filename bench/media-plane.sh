#!/usr/bin/env bash
# The per-viewer webrtc-java media path and the RTP forwarder side by side, on the same demo stream:
# edge CPU, RSS and live heap per viewer, every viewer's packet loss and bitrate, decoders' frame rate.
# Builds the edge jar and the test classes, then runs p2pedge.bench.MediaPlaneBench (see its javadoc for
# the environment: WEBRTC_VIEWERS, FORWARDER_VIEWERS, DECODERS, BITRATE_KBPS, WARMUP_S, MEASURE_S).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp package test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp=$(cat target/bench-classpath.txt)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$cp" p2pedge.bench.MediaPlaneBench target/p2p-edge.jar "$@"
