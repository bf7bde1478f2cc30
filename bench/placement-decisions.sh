#!/usr/bin/env bash
# Placement decisions per second of the pure code (Placement + the in-memory host search; no event bus, unlike
# bench/offload.sh, which times the classification verticle's request/reply). Median and spread of the runs.
# Usage: bench/placement-decisions.sh [viewers=10000] [decisions=2000000] [runs=5] [N=2] [policy=measured] [seed=1]
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" PlacementDecisionBench "$@"
