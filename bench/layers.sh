#!/usr/bin/env bash
# Per-viewer layers on real links (issue 16), RUNS times (default 3): LabLayersTest in the network lab (needs root,
# iproute2, iptables, python3 and Debian's chromium) with congestionFeedback twcc, a viewer behind a 400 kbit/s
# download cap and one without. Prints each run's figures, then their median and range: when the capped viewer
# played a lower layer (ms after its page opened), its freezes per minute (Chrome's freezeCount over 30 s) and
# frames decoded, and how long after the cap was lifted the top layer came back.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
chromium --version || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
mkdir -p target
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for run in $(seq 1 "$runs"); do
  log="target/bench-layers-run-$run.log" # kept: an outlier run can be looked into afterwards
  lab/lab.sh down >/dev/null 2>&1 || true
  if ! mvn -q -B -ntp verify -Dtest=LabLayersTest -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1; then
    echo "run $run failed: see the test's output below" >&2
    grep -E "lab layers|AssertionFailedError|expected" "$log" >&2 || tail -40 "$log" >&2
    exit 1
  fi
  lower=$(grep -o 'lower layer [0-9]* ms' "$log" | grep -o '[0-9]*')
  freezes=$(grep -o 'frames decoded, [0-9]* freezes' "$log" | grep -o '[0-9]* freezes' | grep -o '[0-9]*')
  frames=$(grep -o '30 s on the capped line: [0-9]* frames' "$log" | grep -o '[0-9]* frames' | grep -o '[0-9]*')
  back=$(grep -o 'top layer back [0-9]* ms' "$log" | grep -o '[0-9]*')
  echo "run $run: lower layer at $lower ms; $((freezes * 2)) freezes/min ($frames frames in 30 s); top layer back after $back ms"
  echo "$lower $((freezes * 2)) $frames $back" >> "$out"
done
lab/lab.sh down >/dev/null 2>&1 || true
source bench/median.sh
stat() { median_range "$out" "$1"; }
echo "over $runs runs, median (range): lower layer $(stat 1) ms after the page opened; freezes/min on the capped line $(stat 2); frames in 30 s $(stat 3); top layer back $(stat 4) ms after the cap was lifted"
echo "each run's log: target/bench-layers-run-N.log"
