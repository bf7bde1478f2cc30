#!/usr/bin/env bash
# The matrix of NAT pairs in the network lab (lab/lab.sh: needs root, iproute2, iptables, python3 and Debian's
# chromium): for each kind of home as host and as client, a fresh lab and edge per trial, one headless Chromium per
# home; prints per pairing mode (p2p.pairing reachable, the default; any, OvenMediaEngine's way) and pair: relays
# tried, connected, who serves the client, and its time to first frame (a failed relay's fallback included).
# PLAYER=ovenplayer: unmodified OvenPlayer 0.10.38 instead of the player page. SAME_HOME (cone): adds two devices
# of one home of that kind ("" for none).
# Environment: KINDS (default "cone symmetric public udpblocked"), MODES ("reachable any"), TRIALS (3), PLAYER, SAME_HOME.
set -euo pipefail
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
exec "$(dirname "$0")/run-bench.sh" NatPairBench "$@"
