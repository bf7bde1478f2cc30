#!/usr/bin/env bash
# P2P Delivery for an audience that behaves like one (bursty joins, heavy-tailed viewing times, uploads and NATs
# drawn from a mix), through the placement, capacity and regrouping code on a simulated clock. Prints offload among
# capable viewers against the depth-1 bound of the slots granted, viewers disturbed, and regrouping after host losses.
# Usage: bench/churn.sh [joinsPerSecond=3.5] [minutes=120] [maxSlots=4] [seed=1] [probationSeconds=0]
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" ChurnSimulation "$@"
