#!/usr/bin/env bash
# The forwarder's per-packet path in one process, stage by stage (SRTP alone, the fan-out, the fan-out with UDP
# writes handed to the socket's event loop or sent by the forwarding thread itself): CPU time and bytes allocated per
# viewer packet, median and range of several runs. See p2pedge.bench.ForwarderPathBench for the environment
# (VIEWERS, PACKETS, RUNS, STAGES).
set -euo pipefail
exec "$(dirname "$0")/run-bench.sh" ForwarderPathBench "$@"
