#!/usr/bin/env bash
# Shared by the bench scripts: builds the edge jar and the test classes, then runs the benchmark class $1 with the
# remaining arguments (the edge jar first, for the benches that start edge processes).
# BENCH_NO_BUILD=1 skips the build (for repeated runs of an unchanged tree, so they do not time Maven too).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_NO_BUILD:-0}" != 1 || ! -f target/bench-classpath.txt ]]; then
  mvn -q -B -ntp package test-compile -DskipTests
  mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), open files per process: $(ulimit -Hn)"
class=$1
shift
# BENCH_CPUS: the cores the bench (its load client) runs on, taskset's list; EDGE_CPUS those of the edges it starts.
pin=()
if [[ -n "${BENCH_CPUS:-}" ]]; then
  pin=(taskset -c "$BENCH_CPUS")
fi
# Thousands of sockets (signalling.sh's players: as many in the edge and in the load client): as many open files as
# the hard limit allows.
ulimit -n "$(ulimit -Hn)"
# BENCH_JAVA_OPTS: more JVM options for the bench's own JVM, the load client (EDGE_JAVA_OPTS are the edge's).
# sun.nio.ch opened as the edge jar opens it: the UDP channel reads its socket's descriptor for sendmmsg.
# shellcheck disable=SC2086
exec "${pin[@]}" java ${BENCH_JAVA_OPTS:-} -Djava.util.logging.config.file=src/test/resources/logging.properties --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" "p2pedge.bench.$class" "$@"
