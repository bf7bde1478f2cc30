package p2pedge.bench;

import io.vertx.core.Vertx;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Waits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Three edge processes (the jar, clustered over Hazelcast on loopback) and synthetic players (real WebSockets,
 * fake SDP): measures cross-edge placement latency (a client's request_offer on edge B or C -> its host on
 * edge A is asked to offer) and, after kill -9 of edge A, the time until every orphaned client is served again.
 * Before measuring, {@code WARMUP} players (default 300) join and stay (hosts with full slots: they take no measured
 * client), so that the edges' code is compiled. Players leaving early would not do: they all share one address,
 * whose abandoned relays placement then holds against it.
 * Usage: ClusterBench JAR [playersPerEdge=100]
 */
public final class ClusterBench {

    private static final String UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";

    public static void main(String[] args) throws Exception {
        String jar = args.length > 0 ? args[0] : "target/p2p-edge.jar";
        int hostCount = args.length > 1 ? Integer.parseInt(args[1]) : 100; // players per edge
        int warmup = BenchEnv.integer("WARMUP", 300);
        String cluster = "bench-" + UUID.randomUUID();
        List<Process> edges = new ArrayList<>();
        int[] ports = new int[3];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> edges.forEach(Process::destroyForcibly)));
        for (int i = 0; i < 3; i++) {
            ports[i] = Waits.freePort();
            edges.add(new ProcessBuilder("java", "-Xmx512m",
                    "-Dcluster.enabled=true", "-Dcluster.name=" + cluster, "-Dcluster.port=5801",
                    "-Dcluster.members=127.0.0.1:5801,127.0.0.1:5802,127.0.0.1:5803",
                    "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + ports[i], "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0", "-Dmedia.iceCandidateAddresses=127.0.0.1",
                    "-Dmedia.webrtc.udpPortMin=" + (42000 + i * 1000), "-Dmedia.webrtc.udpPortMax=" + (42999 + i * 1000), "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0",
                    "-Dmedia.maxViewers=1000", "-Dp2p.policy=ome", "-Dmetrics.adminTokenFile=target/bench-admin-token",
                    "-Dsignalling.maxSocketsPerAddress=0", "-Dsignalling.maxPendingOffersPerAddress=0", "-Dhttp.maxConnectionsPerAddress=0",
                    "-Dstreams=[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":320,\"height\":180,\"fps\":15}]",
                    "-jar", jar)
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
            for (int i = 0; i < warmup; i++) {
                AutoPlayer player = AutoPlayer.join(vertx, ports[i % 3], UA);
                Waits.until(() -> player.host() >= 0, 10_000, "warm-up player served");
                players.add(player);
                edgeOf.add(i % 3);
            }
            Thread.sleep(2_000);
            System.out.printf(Locale.ROOT, "warm-up: %d players joined (and stay)%n", warmup);
            List<Long> cross = new ArrayList<>();
            List<Long> same = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int edge = (warmup + i) % 3;
                AutoPlayer player = AutoPlayer.join(vertx, ports[edge], UA);
                Waits.until(() -> player.host() >= 0, 10_000, "player served");
                players.add(player);
                edgeOf.add(edge);
                if (player.host() > 0) {
                    int hostIndex = indexOf(players, player.host());
                    long latency = players.get(hostIndex).requestedAtNanos(player.id()) - player.askedAtNanos();
                    (edgeOf.get(hostIndex) == edge ? same : cross).add(latency);
                }
            }
            print("cross-edge placement (request_offer on one edge -> its host on another gets request_offer_p2p)", cross);
            print("same-edge placement", same);

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
