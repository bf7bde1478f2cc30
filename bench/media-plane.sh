#!/usr/bin/env bash
# The per-viewer webrtc-java media path and the RTP forwarder side by side, on the same demo stream:
# edge CPU, RSS and live heap per viewer, every viewer's packet loss and bitrate, decoders' frame rate.
# Builds the edge jar and the test classes, then runs p2pedge.bench.MediaPlaneBench (see its javadoc for
# the environment: WEBRTC_VIEWERS, FORWARDER_VIEWERS, DECODERS, BITRATE_KBPS, WARMUP_S, MEASURE_S).
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" MediaPlaneBench target/p2p-edge.jar "$@"
