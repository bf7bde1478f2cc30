package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Scrape;
import p2pedge.testing.Waits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Signalling capacity of one edge process: synthetic players (real WebSockets, fake SDP, see {@link AutoPlayer})
 * join in steps up to 1k, 5k and 10k and take their P2P roles (policy ome, N=2: a third host and two thirds are
 * their clients, whose hosts, synthetic too, offer to them through the edge). For each step: sustained joins per
 * second with JOINERS joins in flight, placement latency (request_offer -> the offer that serves the player, from
 * the edge or from its host), the edge's CPU, RSS and live heap after a full GC, and its roles as its /metrics says.
 * Before the steps, rounds of WARMUP players (default 2000) join and leave, not counted, until the edge's JIT has
 * settled (see warmUp): its first minute or more is mostly JIT compilation. The load client's own CPU (this JVM) is
 * printed beside the edge's: the two share the machine's cores. LOAD_CLIENT=raw (the default) plays every player on
 * one NIO selector thread ({@link RawPlayers}); LOAD_CLIENT=vertx, as before, with Vert.x WebSocket clients and
 * JOINERS threads, which cost about two thirds of the edge's CPU per join.
 * After the last step, CHURN rounds (5, 0 for none; after one not counted) of CHURN_PLAYERS (3000) leaving and as
 * many joining time joins with the collector's work in them (see churn); then all players stay connected for HOLD
 * seconds (default 25: past two ping intervals) while a probe player times the edge's answers to its pings (see probe).
 * Environment: STEPS (default "1000 5000 10000"; "10000 25000 50000" with EDGE_JAVA_OPTS=-Xmx1g for the 1 GiB question),
 * JOINERS (32), WARMUP (2000, 0 for none), WARMUP_ROUNDS (at most 30), CHURN, CHURN_PLAYERS, HOLD (25, 0 for none).
 */
public final class SignallingCapacityBench {

    /**
     * Players from one source address. A socket bound to an address before it connects gets its port from bind(),
     * which Linux takes from the odd half of the ephemeral range first (some 14,000 of 32768-60999) and, with that
     * half full, hunts through it for each new socket: 19,000 players from one address held the load client at
     * 90 % of a core for 673 joins/s. 10,000 leave bind() a free port within a few tries.
     */
    private static final int PLAYERS_PER_ADDRESS = 10_000;
    /** Files a process has open besides the players' sockets (jars, the edge's UDP and listening sockets, pipes). */
    private static final int OTHER_FILES = 300;
    /** The edge's default (conf/edge.json), given to the edge explicitly so that what the bench prints is what it ran. */
    private static final int PING_INTERVAL_SECONDS = 10;
    private static final long PROBE_EVERY_MILLIS = 20;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int[] steps = Arrays.stream(System.getenv().getOrDefault("STEPS", "1000 5000 10000").trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        int joiners = Integer.parseInt(System.getenv().getOrDefault("JOINERS", "32"));
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", "2000"));
        int warmupRounds = Integer.parseInt(System.getenv().getOrDefault("WARMUP_ROUNDS", "30"));
        int holdSeconds = Integer.parseInt(System.getenv().getOrDefault("HOLD", "25"));
        int churnRounds = Integer.parseInt(System.getenv().getOrDefault("CHURN", "5"));
        int churnPlayers = Integer.parseInt(System.getenv().getOrDefault("CHURN_PLAYERS", "3000"));
        boolean raw = !"vertx".equals(System.getenv().getOrDefault("LOAD_CLIENT", "raw"));
        boolean offerDeflate = "1".equals(System.getenv().getOrDefault("OFFER_DEFLATE", "0"));
        int most = Arrays.stream(steps).max().orElse(0);
        long openFiles = openFilesLimit();
        if (most + OTHER_FILES > openFiles) {
            throw new IllegalStateException("STEPS up to " + most + " players need as many sockets in the edge and in this JVM, "
                    + "and this machine lets a process open " + openFiles + " files (ulimit -Hn; raising it needs root's "
                    + "CAP_SYS_RESOURCE)");
        }
        int metricsPort = Waits.freePort();
        System.out.printf(Locale.ROOT, "one edge process (forwarder plane, demo 320x180@15), P2P policy ome, N=2; synthetic "
                + "players (WebSockets from 127.0.0.1, and 127.0.0.2.. past %d), %d joins in flight; placement = request_offer -> serving "
                + "offer; load client: %s%n", PLAYERS_PER_ADDRESS, joiners, raw
                ? "LOAD_CLIENT=raw, every player on one NIO selector thread, at most JOINERS WebSocket handshakes open at once"
                        + (offerDeflate ? ", each offering permessage-deflate as browsers do (OFFER_DEFLATE=1)" : "")
                : "LOAD_CLIENT=vertx, Vert.x WebSocket clients, JOINERS threads each waiting for its player's handshake");
        Vertx vertx = Vertx.vertx();
        List<SyntheticPlayer> players = new ArrayList<>();
        LoadClient load = null;
        try (EdgeProcess edge = EdgeProcess.start(jar, Map.of("p2p.policy", "ome", "p2p.maxClientPeersPerHostPeer", "2",
                // Warm-up players leave soon after they joined, all from 127.0.0.1: a client moved onto a host just before
                // its round ended reads as a viewer giving up on a black relay, and the edge then stops making clients on
                // that address for a while (seen: a run whose 10,000 players were all hosts). 0: not read at all.
                "p2p.silentGiveUpSeconds", "0", "media.maxViewers", "50000",
                "media.connectTimeoutSeconds", "600", "media.forwarder.port", "0", "metrics.port", Integer.toString(metricsPort),
                "signalling.pingIntervalSeconds", Integer.toString(PING_INTERVAL_SECONDS),
                "streams", "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":320,\"height\":180,\"fps\":15}]"),
                Path.of("target/bench-signalling-edge.log"))) {
            load = raw ? new RawLoad(edge.port(), joiners, offerDeflate) : new VertxLoad(vertx, edge.port(), joiners, Math.max(most + churnRounds * churnPlayers, warmup));
            if (warmup > 0) {
                warmUp(load, edge, metricsPort, warmup, warmupRounds);
            }
            System.out.printf(Locale.ROOT, "%8s %9s %10s %10s %10s %9s %9s %9s %9s %22s%n", "players", "joins/s", "p50 ms",
                    "p99 ms", "max ms", "edge CPU%", "load CPU%", "RSS MB", "heap MB", "host / client / edge");
            for (int step : steps) {
                Batch batch = joinTimed(load, edge, players.size(), step - players.size());
                players.addAll(batch.players());
                Scrape scrape = Scrape.of(metricsPort);
                double clientsNow = clientsOrFail(scrape, players.size());
                System.out.printf(Locale.ROOT, "%8d %9.0f %10.2f %10.2f %10.2f %9.0f %9.0f %9.0f %9.1f %8.0f / %5.0f / %4.0f%n",
                        players.size(), batch.joinsPerSecond(), batch.latency(0.5), batch.latency(0.99), batch.latency(1),
                        batch.edgeCpu(), batch.loadCpu(), edge.rssKb() / 1024.0, edge.heapAfterGcKb() / 1024.0,
                        scrape.value("p2pedge_players", "role=\"host\""), clientsNow, scrape.value("p2pedge_players", "role=\"edge\""));
            }
            System.out.println("joins/s: the step's new players / the time until the last of them was served; edge CPU and the "
                    + "load client's (this JVM) over that time (100% = one core); heap: the edge's, used after a full GC (jcmd)");
            if (churnRounds > 0 && !players.isEmpty()) {
                churn(load, edge, metricsPort, players, churnRounds, Math.min(churnPlayers, players.size()));
            }
            if (holdSeconds > 0) {
                double[] rtt = probe(vertx, edge.port(), holdSeconds);
                System.out.printf(Locale.ROOT, "held %d players for %d s (the edge pings each every %d s): a probe player's "
                        + "WebSocket ping answered in p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d pings, one in flight, every %d ms)%n",
                        players.size(), holdSeconds, PING_INTERVAL_SECONDS, rtt[rtt.length / 2], rtt[(int) (rtt.length * 0.99)],
                        rtt[rtt.length - 1], rtt.length, PROBE_EVERY_MILLIS);
            }
        } finally {
            players.forEach(SyntheticPlayer::close);
            if (load != null) {
                load.close();
            }
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** A batch of players that joined: how long until the last was served, the two processes' CPU meanwhile (100 = a core). */
    private record Batch(List<SyntheticPlayer> players, double seconds, double edgeCpu, double loadCpu, double[] latencyMs) {
        double joinsPerSecond() {
            return players.size() / seconds;
        }

        /** The placement latency at quantile {@code q} (1: the largest). */
        double latency(double q) {
            return latencyMs[Math.min(latencyMs.length - 1, (int) (latencyMs.length * q))];
        }
    }

    /** {@code count} players join, players {@code from}.. of the run, timed until every one of them was served. */
    private static Batch joinTimed(LoadClient load, EdgeProcess edge, int from, int count) throws Exception {
        long start = System.nanoTime();
        long ticks = EdgeProcess.cpuTicks(edge.pid());
        long loadCpuNanos = ownCpuNanos();
        List<SyntheticPlayer> added = load.join(from, count);
        Waits.until(() -> added.stream().allMatch(p -> p.host() >= 0), 120_000, "every player of the batch served");
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = 100.0 * (EdgeProcess.cpuTicks(edge.pid()) - ticks) / 100 / seconds;
        double loadCpu = 100.0 * (ownCpuNanos() - loadCpuNanos) / 1e9 / seconds;
        double[] latency = added.stream().mapToDouble(p -> (p.servedAtNanos() - p.askedAtNanos()) / 1e6).sorted().toArray();
        return new Batch(added, seconds, cpu, loadCpu, latency);
    }

    /** The edge's Client Peers now, after checking they are the two thirds of {@code players} the policy makes. */
    private static double clientsOrFail(Scrape scrape, int players) {
        double clients = scrape.value("p2pedge_players", "role=\"client\"");
        if (clients < players / 2.0) {
            // A batch without its clients measures another workload (no relayed offers and answers).
            throw new IllegalStateException("only " + (long) clients + " of " + players + " players are Client Peers "
                    + "(policy ome, N=2 makes two thirds of them clients): not a figure of this bench");
        }
        return clients;
    }

    /**
     * Joins at the top step with the collector's work in them. A step's figure follows the full GC that measured the
     * step before it, so it starts on an empty young generation, and a step of 5,000 joins (some 55 KB allocated each)
     * fills about one; here, {@code rounds} times, {@code count} players picked at random leave, and as many new ones
     * join, with no full GC between rounds: young collections fall where they fall, counted from the edge's /metrics.
     * A first round, printed and not counted, warms up what only the churn runs (random players leaving, their hosts'
     * clients served again): without it the JIT compiled those paths in the timed rounds (2026-12-07: rounds from
     * about 2,000 joins/s and a p99 near 300 ms in the first two to 3,200 and 37 ms in the fifth).
     */
    private static void churn(LoadClient load, EdgeProcess edge, int metricsPort, List<SyntheticPlayer> players, int rounds,
            int count) throws Exception {
        System.out.printf(Locale.ROOT, "churn at %d players: %d rounds (after one not counted) of %d players picked at random "
                + "leaving, then as many new ones joining (no full GC between rounds)%n", players.size(), rounds, count);
        System.out.printf(Locale.ROOT, "%8s %9s %10s %10s %10s %9s %9s %9s %12s%n", "round", "joins/s", "p50 ms", "p99 ms",
                "max ms", "edge CPU%", "load CPU%", "young GCs", "GC pause ms");
        java.util.Random random = new java.util.Random(1);
        int joined = players.size();
        List<Batch> batches = new ArrayList<>();
        double gcs = 0;
        double pauseMs = 0;
        for (int round = 0; round <= rounds; round++) {
            java.util.Collections.shuffle(players, random);
            List<SyntheticPlayer> leaving = new ArrayList<>(players.subList(players.size() - count, players.size()));
            players.subList(players.size() - count, players.size()).clear();
            leaving.forEach(SyntheticPlayer::close);
            int staying = players.size();
            // The clients of the hosts that left are served again (from another host or the edge) before the round's
            // joins are timed: their moves are the leaving's work, not the joining's.
            Waits.until(() -> {
                Scrape scrape = Scrape.of(metricsPort);
                return scrape.value("p2pedge_players", "role=\"host\"") + scrape.value("p2pedge_players", "role=\"client\"")
                        + scrape.value("p2pedge_players", "role=\"edge\"") == staying
                        && players.stream().allMatch(p -> p.host() >= 0);
            }, 60_000, "the round's leaving players gone and those they served served again");
            boolean counted = round > 0;
            double[] gcBefore = counted ? youngCollections(Scrape.of(metricsPort)) : null;
            Batch batch = joinTimed(load, edge, joined, count);
            double[] gcAfter = counted ? youngCollections(Scrape.of(metricsPort)) : null;
            joined += count;
            players.addAll(batch.players());
            clientsOrFail(Scrape.of(metricsPort), players.size());
            if (!counted) {
                System.out.printf(Locale.ROOT, "(churn warm-up round, not counted: %.0f joins/s, p99 %.2f ms)%n",
                        batch.joinsPerSecond(), batch.latency(0.99));
                continue;
            }
            batches.add(batch);
            gcs += gcAfter[0] - gcBefore[0];
            pauseMs += gcAfter[1] - gcBefore[1];
            System.out.printf(Locale.ROOT, "%8d %9.0f %10.2f %10.2f %10.2f %9.0f %9.0f %9.0f %12.1f%n", round,
                    batch.joinsPerSecond(), batch.latency(0.5), batch.latency(0.99), batch.latency(1), batch.edgeCpu(),
                    batch.loadCpu(), gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
        }
        double seconds = batches.stream().mapToDouble(Batch::seconds).sum();
        double[] latency = batches.stream().flatMapToDouble(b -> Arrays.stream(b.latencyMs())).sorted().toArray();
        Batch all = new Batch(batches.stream().flatMap(b -> b.players().stream()).toList(), seconds,
                batches.stream().mapToDouble(b -> b.edgeCpu() * b.seconds()).sum() / seconds,
                batches.stream().mapToDouble(b -> b.loadCpu() * b.seconds()).sum() / seconds, latency);
        System.out.printf(Locale.ROOT, "churn at %d players, %d joins: %.0f joins/s (all joins / the rounds' join time), "
                + "placement p50 %.2f ms, p99 %.2f ms, max %.2f ms; edge CPU %.0f %% (%.3f ms per join), load client %.0f %%; "
                + "%.0f young collections, %.1f ms of pauses, in the join time%n", players.size(), all.players().size(),
                all.joinsPerSecond(), all.latency(0.5), all.latency(0.99), all.latency(1), all.edgeCpu(),
                all.edgeCpu() * 10 / all.joinsPerSecond(), all.loadCpu(), gcs, pauseMs);
    }

    /** The edge's young collections so far and their pauses in ms, from its JVM meters (jvm_gc_pause, minor GCs). */
    private static double[] youngCollections(Scrape scrape) {
        return new double[] {minor(scrape, "jvm_gc_pause_seconds_count"), minor(scrape, "jvm_gc_pause_seconds_sum") * 1000};
    }

    /** {@code name}'s samples of minor collections, summed over their causes. */
    private static double minor(Scrape scrape, String name) {
        return scrape.samples(name).entrySet().stream().filter(e -> e.getKey().contains("minor"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Where a step's players come from. */
    private interface LoadClient {
        /** {@code count} players join, players {@code from}.. of the run (which tells each one's source address). */
        List<SyntheticPlayer> join(int from, int count) throws Exception;

        void close() throws Exception;
    }

    /** Players come from 127.0.0.1, .2, ... PLAYERS_PER_ADDRESS each (see there). */
    private static InetAddress sourceOf(int player) throws java.net.UnknownHostException {
        return InetAddress.getByName("127.0.0." + (player / PLAYERS_PER_ADDRESS + 1));
    }

    /** Every player on one selector thread ({@link RawPlayers}). */
    private static final class RawLoad implements LoadClient {
        private final RawPlayers players;

        RawLoad(int port, int inFlight, boolean offerDeflate) throws java.io.IOException {
            players = new RawPlayers(new InetSocketAddress("127.0.0.1", port), "/app/stream", AutoPlayer.CHROME_UA, inFlight,
                    offerDeflate);
        }

        @Override
        public List<SyntheticPlayer> join(int from, int count) throws Exception {
            List<SyntheticPlayer> joined = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                joined.add(players.join(sourceOf(i)));
            }
            return joined;
        }

        @Override
        public void close() throws Exception {
            players.close();
        }
    }

    /** Vert.x WebSocket clients, one per source address, and a pool of threads each waiting for its player's handshake. */
    private static final class VertxLoad implements LoadClient {
        private final List<WebSocketClient> clients = new ArrayList<>();
        private final ExecutorService pool;
        private final int port;

        VertxLoad(Vertx vertx, int port, int joiners, int most) {
            this.port = port;
            this.pool = Executors.newFixedThreadPool(joiners);
            for (int i = 0; i <= most / PLAYERS_PER_ADDRESS; i++) {
                clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(PLAYERS_PER_ADDRESS)
                        .setLocalAddress("127.0.0." + (i + 1))));
            }
        }

        @Override
        public List<SyntheticPlayer> join(int from, int count) throws Exception {
            List<Future<AutoPlayer>> joining = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                WebSocketClient client = clients.get(i / PLAYERS_PER_ADDRESS);
                joining.add(pool.submit(() -> AutoPlayer.join(client, port, AutoPlayer.CHROME_UA)));
            }
            List<SyntheticPlayer> joined = new ArrayList<>();
            for (Future<AutoPlayer> f : joining) {
                AutoPlayer player = f.get(60, TimeUnit.SECONDS);
                joined.add(new SyntheticPlayer() {
                    @Override
                    public long host() {
                        return player.host();
                    }

                    @Override
                    public long askedAtNanos() {
                        return player.askedAtNanos();
                    }

                    @Override
                    public long servedAtNanos() {
                        return player.servedAtNanos();
                    }

                    @Override
                    public void close() {
                        player.close();
                    }
                });
            }
            return joined;
        }

        @Override
        public void close() {
            pool.shutdownNow();
            clients.forEach(WebSocketClient::close);
        }
    }

    /**
     * Rounds of {@code players} joining, held past p2p.silentGiveUpSeconds (their leaving is not read as giving up) and
     * leaving, until the edge's JIT has settled (see {@link JitWatch}), or {@code maxRounds}.
     */
    private static void warmUp(LoadClient load, EdgeProcess edge, int metricsPort, int players, int maxRounds) throws Exception {
        JitWatch jit = new JitWatch(edge.pid());
        for (int round = 1; round <= maxRounds; round++) {
            jit.start();
            long start = System.nanoTime();
            List<SyntheticPlayer> warm = load.join(0, players);
            double joinSeconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(1_500);
            warm.forEach(SyntheticPlayer::close);
            Waits.until(() -> {
                Scrape scrape = Scrape.of(metricsPort);
                return scrape.value("p2pedge_players", "role=\"host\"") + scrape.value("p2pedge_players", "role=\"client\"") == 0;
            }, 60_000, "the warm-up's players gone");
            double busy = jit.busiest();
            System.out.printf(Locale.ROOT, "(warm-up round %d: %d players joined at %.0f/s and left; the edge's JIT compilers busy "
                    + "%.0f %% of the round's %.1f s)%n", round, players, players / joinSeconds, 100 * busy,
                    (System.nanoTime() - start) / 1e9);
            if (busy < JitWatch.SETTLED) {
                return;
            }
        }
        System.out.printf(Locale.ROOT, "(warm-up: the JIT still busy after %d rounds; the steps below include compilation)%n", maxRounds);
    }

    /**
     * What a connected player feels of the edge's housekeeping (keep-alive of every player): for {@code seconds}, one more
     * player pings the edge every PROBE_EVERY_MILLIS (the next only once the last was answered, so a stall shows as one
     * long round trip) and the round trips are returned, sorted. Its socket is served by the same event loop as the others.
     */
    private static double[] probe(Vertx vertx, int port, int seconds) throws Exception {
        io.vertx.core.http.WebSocket socket = vertx.createWebSocketClient()
                .connect(port, "127.0.0.1", "/app/stream").await(10, TimeUnit.SECONDS);
        List<Double> rtts = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] sentAt = {0};
        socket.pongHandler(b -> {
            synchronized (sentAt) {
                rtts.add((System.nanoTime() - sentAt[0]) / 1e6);
                sentAt[0] = 0;
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            synchronized (sentAt) {
                if (sentAt[0] == 0) {
                    sentAt[0] = System.nanoTime();
                    socket.writePing(io.vertx.core.buffer.Buffer.buffer("probe"));
                }
            }
            Thread.sleep(PROBE_EVERY_MILLIS);
        }
        socket.close();
        return rtts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** This process's limit of open files (its children, the edge, inherit it). */
    private static long openFilesLimit() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        return Long.MAX_VALUE;
    }

    /** CPU time this JVM (the load client) has used so far. */
    private static long ownCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
}
