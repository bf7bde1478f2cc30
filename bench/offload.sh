#!/usr/bin/env bash
# Offload ratio under churn through the real placement code (classification verticle + registry + policy).
# Usage: bench/offload.sh [viewers=10000] [N=2] [leaveRate=0.3] [relayFailRate=0.05] [policy=measured] [seed=1]
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" OffloadSimulation "$@"
