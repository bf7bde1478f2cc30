#!/usr/bin/env bash
# Failover in real browsers: headless Chromium host tab + client tabs on one edge process, the host tab closed
# ROUNDS times (default 10): p50/p99/max time until each client decodes again. Needs Debian's chromium.
# Environment: ROUNDS (10), CLIENTS (2), WARMUP_ROUNDS (3: rounds before, not counted).
set -euo pipefail
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
exec "$(dirname "$0")/run-bench.sh" BrowserFailoverBench target/p2p-edge.jar "$@"
