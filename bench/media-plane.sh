#!/usr/bin/env bash
# The per-viewer webrtc-java media path and the RTP forwarder side by side, on the same demo stream:
# edge CPU, RSS and live heap per viewer, every viewer's packet loss and bitrate, decoders' frame rate.
# Builds the edge jar and the test classes, then runs p2pedge.bench.MediaPlaneBench (see its javadoc for
# the environment: WEBRTC_VIEWERS, FORWARDER_VIEWERS, DECODERS, BITRATE_KBPS, WARMUP_S, MEASURE_S).
# EDGE_CPUS=0 BENCH_CPUS=1 pin the edge and the load client to a core each (taskset), so that the edge's ceiling is
# measured on a core of its own, not on cores it shares with the load it is measured by.
# LOOPBACK_RPS_CPUS=1 (root; a comma list of cores, the load client's): on loopback the kernel delivers each datagram
# to its receiving socket inside the sender's system call, so the edge's core would also do the load client's receive
# work (its protocol processing and wake-ups), which a real network leaves to the receiving machine. This steers that
# work (RPS on lo) to the given cores for the run, then puts the setting back: for every lo receiver, the edge's own too.
# With it, net.core.skb_defer_max is 0 for the run (put back after): a receiving core otherwise hands each datagram's
# buffer back to the core that allocated it (the edge's) to be freed there, one interrupt between cores per batch,
# which costs the edge's core again what RPS moved off it (seen on this VM: skb_defer_free_flush on the edge's core).
# And net.core.netdev_max_backlog is 32768 for the run: steered datagrams wait in the receiving core's backlog, 1,000 by
# default, which one fan-out to a thousand viewers overflows (counted in /proc/net/softnet_stat, lost to the viewers).
set -euo pipefail
bench=(bash "$(dirname "$0")/run-bench.sh" MediaPlaneBench target/p2p-edge.jar "$@")
if [[ -z "${LOOPBACK_RPS_CPUS:-}" ]]; then
  exec "${bench[@]}"
fi
rps=/sys/class/net/lo/queues/rx-0/rps_cpus
mask=0
for cpu in ${LOOPBACK_RPS_CPUS//,/ }; do
  mask=$((mask | 1 << cpu))
done
before=$(cat "$rps")
if ! printf '%x\n' "$mask" > "$rps" 2>/dev/null; then
  echo "LOOPBACK_RPS_CPUS: cannot write $rps (root needed)" >&2
  exit 1
fi
defer=/proc/sys/net/core/skb_defer_max
defer_before=$(cat "$defer")
backlog=/proc/sys/net/core/netdev_max_backlog
backlog_before=$(cat "$backlog")
trap 'echo "$before" > "$rps"; echo "$defer_before" > "$defer"; echo "$backlog_before" > "$backlog"' EXIT
trap 'exit 143' INT TERM
echo 0 > "$defer"
echo 32768 > "$backlog"
echo "loopback receive steered to core(s) $LOOPBACK_RPS_CPUS (RPS on lo: mask $(cat "$rps"), was $before;" \
  "net.core.skb_defer_max $(cat "$defer"), was $defer_before; net.core.netdev_max_backlog $(cat "$backlog"), was $backlog_before)"
"${bench[@]}"
