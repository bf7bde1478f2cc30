#!/usr/bin/env bash
# How often headless Chromium sends transport-wide feedback (TWCC) to the edge: ROUNDS (3) fresh browsers, each
# counted by the edge for SECONDS (20); the load client's viewers copy this pace. Needs Debian's chromium.
set -euo pipefail
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
exec "$(dirname "$0")/run-bench.sh" BrowserFeedbackBench target/p2p-edge.jar "$@"
