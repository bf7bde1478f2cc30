#!/usr/bin/env bash
# Native memory against DTLS-SRTP sessions: does resident memory outside the Java heap grow with sessions (a leak)
# or level off (glibc keeping freed memory in per-thread malloc arenas)? Runs p2pedge.bench.NativeMemoryBench (an
# edge and load viewers in one JVM, full ICE/DTLS/SRTP sessions, 10 at a time) with glibc's default arenas and
# with MALLOC_ARENA_MAX=2 (what bin/p2p-edge, the Dockerfile and the test JVMs set), RUNS times each; each run
# prints RSS outside the heap every EVERY sessions and the growth per 1,000 sessions over its two halves.
# Environment: RUNS (1), SESSIONS (10000), EVERY (500), PARALLEL (10), IDLE_S (0), ARENAS ("default 2"),
# JAVA_OPTS (e.g. -XX:NativeMemoryTracking=summary: the run then ends with the JVM's own areas' growth).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp test-compile -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for run in $(seq 1 "${RUNS:-1}"); do
  for arenas in ${ARENAS:-default 2}; do
    echo "== run $run, MALLOC_ARENA_MAX=$arenas"
    if [ "$arenas" = default ]; then unset MALLOC_ARENA_MAX; else export MALLOC_ARENA_MAX="$arenas"; fi
    # shellcheck disable=SC2086
    java -Xmx1g ${JAVA_OPTS:-} -Djava.util.logging.config.file=src/test/resources/logging.properties \
      -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" p2pedge.bench.NativeMemoryBench
  done
done
