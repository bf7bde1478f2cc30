#!/usr/bin/env bash
# Pacing on a home router with a short queue (issue 16), RUNS times (default 3): LabPacingTest in the network lab
# (needs root, iproute2, iptables, python3 and Debian's chromium). Two edges side by side, one pacing each viewer at
# what its path was measured to carry and one not, each with one viewer behind a 1 Mbit/s download cap whose queue
# holds 30 ms, on one 600 kbit/s layer; MEASURE_SECONDS (default 40) measured per run. Prints each run's figures for both,
# then their median and range: packets the router dropped, packets the browser counts lost after resends, its NACKs
# and PLIs, and its freezes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
export MEASURE_SECONDS=${MEASURE_SECONDS:-40}
seconds=$MEASURE_SECONDS
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
mkdir -p target
out=$(mktemp)
trap 'rm -f "$out"' EXIT
figures() { # $1: paced or unpaced; prints drops lost nacks plis freezes
  grep -o "s: $1: [0-9]* dropped by the router, [0-9]* lost after resends, [0-9]* NACKs, [0-9]* PLIs, [0-9]* keyframes, [0-9]* freezes" "$log" \
    | sed 's/[^0-9 ]//g' | awk '{print $1, $2, $3, $4, $6}'
}
for run in $(seq 1 "$runs"); do
  log="target/bench-pacing-run-$run.log" # kept: an outlier run can be looked into afterwards
  lab/lab.sh down >/dev/null 2>&1 || true
  if ! mvn -q -B -ntp verify -Dtest=LabPacingTest -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1; then
    echo "run $run failed: see the test's output below" >&2
    grep -E "lab pacing|AssertionFailedError|expected" "$log" >&2 || tail -40 "$log" >&2
    exit 1
  fi
  grep "lab pacing" "$log" | sed "s/^/run $run: /"
  echo "$(figures paced) $(figures unpaced)" >> "$out"
done
lab/lab.sh down >/dev/null 2>&1 || true
source bench/median.sh
stat() { median_range "$out" "$1"; }
echo "over $runs runs of $seconds s, median (range), paced vs unpaced:"
echo "  dropped by the router: $(stat 1) vs $(stat 6)"
echo "  lost after resends:    $(stat 2) vs $(stat 7)"
echo "  NACKs:                 $(stat 3) vs $(stat 8)"
echo "  PLIs:                  $(stat 4) vs $(stat 9)"
echo "  freezes:               $(stat 5) vs $(stat 10)"
echo "each run's log: target/bench-pacing-run-N.log"
