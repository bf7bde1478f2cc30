#!/usr/bin/env bash
# The per-viewer webrtc-java media path and the RTP forwarder side by side, on the same demo stream:
# edge CPU, RSS and live heap per viewer, every viewer's packet loss and bitrate, decoders' frame rate.
# Builds the edge jar and the test classes, then runs p2pedge.bench.MediaPlaneBench (see its javadoc for
# the environment: WEBRTC_VIEWERS, FORWARDER_VIEWERS, DECODERS, BITRATE_KBPS, WARMUP_S, MEASURE_S).
# EDGE_CPUS=0 BENCH_CPUS=1 pin the edge and the load client to a core each (taskset), so that the edge's ceiling is
# measured on a core of its own, not on cores it shares with the load it is measured by.
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" MediaPlaneBench target/p2p-edge.jar "$@"
