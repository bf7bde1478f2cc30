#!/usr/bin/env bash
# Egress during a bounded NACK storm against the stream's rate: an edge process, load viewers, one of them sending
# SRTCP NACKs that name the same packets over and over; the edge's egress (its UDP port's byte counter, from
# /metrics) before and during the storm against stream x viewers + the retransmission budget, over RUNS runs
# (median and spread). Builds the edge jar and the test classes, then runs p2pedge.bench.NackStormBench (see its
# javadoc for the environment: RUNS, VIEWERS, STORM_S, NACKS_PER_S, REPEATS, BUDGET_PERCENT, BITRATE_KBPS).
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" NackStormBench target/p2p-edge.jar "$@"
