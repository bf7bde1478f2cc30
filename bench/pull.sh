#!/usr/bin/env bash
# The cost of one pull between edges: 3 clustered edge processes, a WHIP publisher on edge A; join time on edge B when the
# viewer starts the pull (cold) against joining a running pull (warm); CPU of A, B and C with viewers on A
# itself and with the same audience on B and C (two pulls from A). Builds the jar and the test classes, then
# runs p2pedge.bench.PullBench (environment: VIEWERS, COLD_JOINS, WARMUP_S, MEASURE_S; see its javadoc).
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" PullBench target/p2p-edge.jar "$@"
