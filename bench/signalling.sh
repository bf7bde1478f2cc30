#!/usr/bin/env bash
# Signalling capacity of one edge process: 1k/5k/10k synthetic players (real WebSockets, fake SDP, P2P roles):
# sustained joins/s, p50/p99 placement latency, edge CPU, RSS and live heap at each step.
# After the last step, CHURN rounds (5, after one not counted) of CHURN_PLAYERS (3000) random players leaving and as
# many joining, with no full GC between them: joins/s with the collector's young collections where they fall. Then the
# players stay HOLD s (25) while a probe player times the edge's answers to its pings.
# Environment: STEPS (default "1000 5000 10000"), JOINERS (32), WARMUP (2000 players a round), WARMUP_ROUNDS (30), HOLD,
# LOAD_CLIENT (raw: every player on one NIO selector thread; vertx: Vert.x WebSocket clients, JOINERS threads),
# OFFER_DEFLATE=1 (raw players offer permessage-deflate in their upgrade, as browsers do);
# 50,000 players under 1 GiB: STEPS="10000 25000 50000" EDGE_JAVA_OPTS=-Xmx1g bench/signalling.sh
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" SignallingCapacityBench target/p2p-edge.jar "$@"
