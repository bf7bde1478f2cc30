#!/usr/bin/env bash
# P2P Delivery across a mix of homes in the network lab (lab/lab.sh: needs root, iproute2, iptables, python3 and
# Debian's chromium): one edge, one headless Chromium per home on the player page; prints each player's time to
# first frame and who serves it, the offload per run and the first-frame times per kind of home (median and spread).
# Environment: HOMES (default "cone cone symmetric public cone symmetric cone public"), RUNS (3).
set -euo pipefail
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
exec "$(dirname "$0")/run-bench.sh" LabBench "$@"
