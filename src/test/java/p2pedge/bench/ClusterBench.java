package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.EdgeJvm;
import p2pedge.testing.Waits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Three edge processes (the jar, clustered over Hazelcast on loopback) and synthetic players (real WebSockets,
 * fake SDP): measures cross-edge placement latency (a client's request_offer on edge B or C -> its host on
 * edge A is asked to offer) and, after kill -9 of edge A, the time until every orphaned client is served again.
 * Before measuring, rounds of {@code WARMUP} players (default 600) join the three edges, 16 at a time, stay a moment
 * and leave, until the edges' JIT has settled (see {@link JitWatch}), at most {@code WARMUP_ROUNDS} (80: three JVMs on two
 * cores settled in 55-60 rounds on 2026-12-08; with 40 every run measured edges still compiling, though the
 * p99 was no higher in a side by side: README, Cluster). The edges
 * run with p2p.silentGiveUpSeconds=0: all players share one address, and a client the edge moved onto a host just
 * before its round ended would read as a viewer giving up on a black relay, after which that address's players
 * stay off hosts for the learning cooldown (the measured players then had no host at all).
 * 300 players per edge by default: about 540 cross-edge samples, so that the 99th percentile is not the second
 * slowest of a run (it was, with the 180 samples of 100 per edge until 2026-12-06).
 * Beside the figures it prints what else ran while they were measured (each process's CPU, the edges' JIT, the
 * kernel's CPU pressure): on a machine with fewer cores than the bench has processes, the tail is mostly waiting.
 * Usage: ClusterBench JAR [playersPerEdge=300]
 */
public final class ClusterBench {

    private static final String UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";

    public static void main(String[] args) throws Exception {
        String jar = args.length > 0 ? args[0] : "target/p2p-edge.jar";
        int hostCount = args.length > 1 ? Integer.parseInt(args[1]) : 300; // players per edge
        int warmup = BenchEnv.integer("WARMUP", 600);
        String cluster = "bench-" + UUID.randomUUID();
        List<Process> edges = new ArrayList<>();
        int[] ports = new int[3];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> edges.forEach(Process::destroyForcibly)));
        for (int i = 0; i < 3; i++) {
            ports[i] = Waits.freePort();
            List<String> command = new ArrayList<>(List.of("java", EdgeJvm.OPTIONS, "-Xmx512m"));
            // EDGE_JAVA_OPTS, e.g. -Xlog:gc:file=target/gc-%p.log:time: the slowest placements printed below against the edges' pauses
            command.addAll(EdgeProcess.javaOptions());
            command.addAll(List.of("-Dcluster.enabled=true", "-Dcluster.name=" + cluster, "-Dcluster.port=5801",
                    "-Dcluster.members=127.0.0.1:5801,127.0.0.1:5802,127.0.0.1:5803",
                    "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + ports[i], "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0", "-Dmedia.iceCandidateAddresses=127.0.0.1",
                    "-Dmedia.webrtc.udpPortMin=" + (42000 + i * 1000), "-Dmedia.webrtc.udpPortMax=" + (42999 + i * 1000), "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0",
                    "-Dmedia.maxViewers=1000", "-Dp2p.policy=ome", "-Dp2p.silentGiveUpSeconds=0", "-Dmetrics.adminTokenFile=target/bench-admin-token",
                    "-Dsignalling.maxSocketsPerAddress=0", "-Dsignalling.maxPendingOffersPerAddress=0", "-Dhttp.maxConnectionsPerAddress=0",
                    "-Dstreams=[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":320,\"height\":180,\"fps\":15}]",
                    "-jar", jar));
            edges.add(new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(Path.of("target/bench-cluster-edge" + i + ".log").toFile()).start());
            Waits.untilListening(ports[i], 60_000); // one after the other: each joins the ones before
        }
        Vertx vertx = Vertx.vertx();
        int total = 3 * hostCount;
        System.out.printf(Locale.ROOT, "3 clustered edges (processes, Hazelcast on loopback); %d synthetic players (real "
                + "WebSockets, fake SDP, ome policy, N=2) join edges A, B, C in turn, one at a time%n", total);
        List<AutoPlayer> players = new ArrayList<>();
        List<Integer> edgeOf = new ArrayList<>();
        try {
            long[] pids = edges.stream().mapToLong(Process::pid).toArray();
            warmUp(vertx, ports, pids, warmup, BenchEnv.integer("WARMUP_ROUNDS", 80));
            List<Slow> cross = new ArrayList<>();
            List<Long> same = new ArrayList<>();
            MeasuredPhase phase = MeasuredPhase.start(pids);
            for (int i = 0; i < total; i++) {
                int edge = i % 3;
                AutoPlayer player = AutoPlayer.join(vertx, ports[edge], UA);
                Waits.until(() -> player.host() >= 0, 10_000, "player served");
                players.add(player);
                edgeOf.add(edge);
                if (player.host() > 0) {
                    int hostIndex = indexOf(players, player.host());
                    long latency = players.get(hostIndex).requestedAtNanos(player.id()) - player.askedAtNanos();
                    if (edgeOf.get(hostIndex) == edge) {
                        same.add(latency);
                    } else {
                        long askedAt = System.currentTimeMillis() - (System.nanoTime() - player.askedAtNanos()) / 1_000_000;
                        cross.add(new Slow(latency, askedAt, edge, edgeOf.get(hostIndex)));
                    }
                }
            }
            System.out.println(phase.end());
            print("cross-edge placement (request_offer on one edge -> its host on another gets request_offer_p2p)",
                    cross.stream().map(Slow::nanos).toList());
            print("same-edge placement", same);
            cross.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
            System.out.println("slowest cross-edge placements (asked at, UTC; client's edge -> host's edge): " + cross.stream()
                    .limit(5).map(Slow::toString).collect(java.util.stream.Collectors.joining(", ")));

            List<AutoPlayer> orphans = new ArrayList<>();
            for (int i = 0; i < players.size(); i++) {
                AutoPlayer p = players.get(i);
                if (edgeOf.get(i) != 0 && p.host() > 0 && edgeOf.get(indexOf(players, p.host())) == 0) {
                    orphans.add(p);
                }
            }
            long killed = System.nanoTime();
            edges.get(0).destroyForcibly(); // kill -9 edge A
            Waits.until(() -> orphans.stream().allMatch(c -> c.servedAtNanos() > killed && c.host() >= 0), 30_000,
                    "every orphan served again");
            long[] recovery = orphans.stream().mapToLong(c -> c.servedAtNanos() - killed).sorted().toArray();
            System.out.printf(Locale.ROOT, "edge A killed (SIGKILL): its hosts had %d clients on edges B and C; all were served "
                            + "again (a new offer from their edge or a host) after p50 %.0f ms, max %.0f ms%n", recovery.length,
                    recovery[recovery.length / 2] / 1e6, recovery[recovery.length - 1] / 1e6);
        } finally {
            players.forEach(AutoPlayer::close);
            for (Process edge : edges) {
                edge.destroy();
                edge.waitFor();
            }
            vertx.close().await();
        }
    }

    /** Rounds of players joining the edges in turn, staying a moment and leaving, until the edges' JIT has settled. */
    private static void warmUp(Vertx vertx, int[] ports, long[] pids, int players, int maxRounds) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(players));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        JitWatch jit = new JitWatch(pids);
        try {
            for (int round = 1; round <= maxRounds; round++) {
                jit.start();
                List<Future<AutoPlayer>> joining = new ArrayList<>();
                for (int i = 0; i < players; i++) {
                    int port = ports[i % ports.length];
                    joining.add(pool.submit(() -> {
                        AutoPlayer player = AutoPlayer.join(client, port, UA);
                        Waits.until(() -> player.host() >= 0, 10_000, "warm-up player served");
                        return player;
                    }));
                }
                List<AutoPlayer> warm = new ArrayList<>();
                for (Future<AutoPlayer> player : joining) {
                    warm.add(player.get(60, TimeUnit.SECONDS));
                }
                Thread.sleep(1_500);
                warm.forEach(AutoPlayer::close);
                Thread.sleep(2_000); // the registry lets them go
                double busy = jit.busiest();
                System.out.printf(Locale.ROOT, "warm-up round %d: %d players joined and left; the busiest edge's JIT compilers "
                        + "busy %.0f %% of the round%n", round, players, 100 * busy);
                if (busy < JitWatch.SETTLED) {
                    return;
                }
            }
            System.out.printf(Locale.ROOT, "warm-up: the JIT still busy after %d rounds; the figures below include compilation%n",
                    maxRounds);
        } finally {
            pool.shutdownNow();
            client.close();
        }
    }

    /**
     * What else the machine did while the placements were measured: the edges' and this process's CPU, the edges' JIT
     * and the kernel's CPU pressure, so that a tail can be read as work or as waiting for a core.
     */
    private record MeasuredPhase(long[] pids, long[] ticks, long ownTicks, long startNanos, JitWatch jit, CpuPressure pressure) {

        static MeasuredPhase start(long[] pids) throws Exception {
            long[] ticks = new long[pids.length];
            for (int i = 0; i < pids.length; i++) {
                ticks[i] = EdgeProcess.cpuTicks(pids[i]);
            }
            JitWatch jit = new JitWatch(pids);
            jit.start();
            return new MeasuredPhase(pids, ticks, EdgeProcess.cpuTicks(ProcessHandle.current().pid()), System.nanoTime(), jit,
                    CpuPressure.start());
        }

        String end() throws Exception {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "measured phase: %.1f s; CPU (%% of a core) edges",
                    seconds));
            for (int i = 0; i < pids.length; i++) {
                line.append(String.format(Locale.ROOT, " %c %.0f", 'A' + i, EdgeProcess.cpuPercentSince(pids[i], ticks[i], seconds)));
            }
            line.append(String.format(Locale.ROOT, ", load client %.0f; the busiest edge's JIT compilers %.0f %%",
                    EdgeProcess.ownCpuPercent(ownTicks, seconds), 100 * jit.busiest()));
            line.append(pressure == null ? "; CPU pressure not reported by this kernel" : String.format(Locale.ROOT,
                    "; some task waited for a core %.0f %% of the time (/proc/pressure/cpu)", 100 * pressure.someShare()));
            return line.toString();
        }
    }

    /** One cross-edge placement, to find it again in the edges' logs. */
    private record Slow(long nanos, long askedAtMillis, int clientEdge, int hostEdge) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f ms at %s (%c -> %c)", nanos / 1e6,
                    java.time.Instant.ofEpochMilli(askedAtMillis).toString().substring(11, 23), 'A' + clientEdge, 'A' + hostEdge);
        }
    }

    private static int indexOf(List<AutoPlayer> players, long id) {
        for (int i = 0; i < players.size(); i++) {
            if (players.get(i).id() == id) {
                return i;
            }
        }
        throw new IllegalStateException("no player " + id);
    }

    private static void print(String what, List<Long> nanos) {
        if (nanos.isEmpty()) {
            System.out.println(what + ": no samples");
            return;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
