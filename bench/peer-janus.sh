#!/usr/bin/env bash
# The edge and Janus side by side (issue 17): p2pedge.bench.PeerJanusBench (see its javadoc for the environment:
# VIEWERS, WARMUP_S, MEASURE_S, BITRATE_KBPS). Needs root (network namespaces), iproute2 and Debian's janus
# (apt-get install -y janus). Janus' libnice offers no loopback candidate, so Janus runs in a network namespace of
# its own (p2pbench-janus, 10.99.0.1) and the bench with the edge in another (p2pbench-load, 10.99.0.2), a veth pair
# between them; both are removed when the bench ends. Builds the edge jar first (BENCH_NO_BUILD=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v janus >/dev/null || { echo "janus is missing: apt-get install -y janus" >&2; exit 1; }
if [[ "${BENCH_NO_BUILD:-0}" != 1 || ! -f target/bench-classpath.txt ]]; then
  mvn -q -B -ntp package test-compile -DskipTests
  mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
fi
down() {
  ip netns del p2pbench-load 2>/dev/null || true
  ip netns del p2pbench-janus 2>/dev/null || true
}
down
trap down EXIT
ip netns add p2pbench-janus
ip netns add p2pbench-load
ip -n p2pbench-janus link set lo up
ip -n p2pbench-load link set lo up
ip link add p2pb-j type veth peer name p2pb-l
ip link set p2pb-j netns p2pbench-janus
ip link set p2pb-l netns p2pbench-load
ip -n p2pbench-janus addr add 10.99.0.1/24 dev p2pb-j
ip -n p2pbench-load addr add 10.99.0.2/24 dev p2pb-l
ip -n p2pbench-janus link set p2pb-j up
ip -n p2pbench-load link set p2pb-l up
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(janus --version 2>&1 | grep -m1 -i janus)"
ip netns exec p2pbench-load java -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" p2pedge.bench.PeerJanusBench target/p2p-edge.jar "$@"
