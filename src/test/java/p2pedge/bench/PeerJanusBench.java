package p2pedge.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocket;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.Waits;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The edge and a real peer, Janus (its streaming plugin), side by side in one run on the same stream: the edge's demo
 * (VP8 640x360@30 and Opus, one layer) goes to the edge's viewers, and one load viewer of the edge passes every packet
 * it receives, decrypted and authenticated, on to Janus' RTP mountpoint over loopback, so Janus serves the same
 * packets. The same load viewers ({@link LoadViewer}: ICE, DTLS-SRTP, every packet authenticated and counted; Janus
 * through its HTTP API) join each server step by step, first the edge's, then, the edge's gone, Janus'; at each step
 * the bench measures the server's CPU (/proc/PID/stat), its RSS, every viewer's loss and rate, and its own CPU (the
 * load client). Per-viewer cost is over the same server with no viewer (the edge's idle encodes the demo; Janus' idle
 * receives it).
 * <p>
 * Before each of the edge's windows, the idle one too, the bench waits in rounds of {@link #JIT_ROUND_S} seconds (at
 * most JIT_ROUNDS) until the edge's JIT compilers were busy for less than {@link #JIT_SETTLED} of a round, and prints
 * their share of the window. Per viewer is printed at each server's largest step with no loss, two ways: over the idle
 * server, and between the first step and that one (no idle in it); the two servers are compared at the largest step
 * where neither lost a packet.
 * <p>
 * Environment: VIEWERS (default "50 100 200"), WARMUP_S (5), MEASURE_S (10), BITRATE_KBPS (600), JIT_ROUNDS (24), JANUS_CONFIG (the
 * folder of Janus' configuration, bench/janus), JANUS_HOST (10.99.0.1) and JANUS_HTTP_PORT (8088, as that configuration
 * says), JANUS_NETNS (p2pbench-janus), LOAD_ADDRESS (10.99.0.2). Janus (libnice) offers no loopback candidate and sends
 * from the interface it gathered on, so bench/peer-janus.sh runs Janus in a network namespace of its own at JANUS_HOST
 * and the bench (its load viewers and the edge) in another at LOAD_ADDRESS, a veth pair between them; the edge's
 * viewers stay on loopback.
 */
public final class PeerJanusBench {

    private record Row(String server, int viewers, double cpu, double rssMb, double kbpsMin, double kbpsAvg, double lossMax,
                       double benchCpu) {
    }

    private static final long MOUNTPOINT = 1;
    private static final int JANUS_VIDEO_PORT = 5004;
    private static final int JANUS_AUDIO_PORT = 5002;
    /** The share of a round the edge's compilers may take and the JIT count as settled, as in bench/media-plane.sh. */
    private static final double JIT_SETTLED = 0.01;
    private static final int JIT_ROUND_S = 5;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int[] steps = java.util.Arrays.stream(System.getenv().getOrDefault("VIEWERS", "50 100 200").trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        int warmup = BenchEnv.integer("WARMUP_S", 5);
        int measure = BenchEnv.integer("MEASURE_S", 10);
        int bitrate = BenchEnv.integer("BITRATE_KBPS", 600);
        int jitRounds = BenchEnv.integer("JIT_ROUNDS", 24);
        Path janusConfig = Path.of(System.getenv().getOrDefault("JANUS_CONFIG", "bench/janus")).toAbsolutePath();
        int janusPort = BenchEnv.integer("JANUS_HTTP_PORT", 8088);
        String janusHost = System.getenv().getOrDefault("JANUS_HOST", "10.99.0.1");
        String loadAddress = System.getenv().getOrDefault("LOAD_ADDRESS", "10.99.0.2");
        String janusNamespace = System.getenv().getOrDefault("JANUS_NETNS", "p2pbench-janus");
        System.out.printf(Locale.ROOT, "machine: %d cores; stream VP8 640x360@30 at %d kbit/s + Opus from the edge's demo, "
                        + "passed on to Janus' RTP mountpoint by a tap viewer; steps %s; warmup %d s, measured over %d s%n",
                Runtime.getRuntime().availableProcessors(), bitrate, java.util.Arrays.toString(steps), warmup, measure);
        System.out.println("server CPU: process CPU time / wall time from /proc/PID/stat (100% = one core); RSS: VmRSS; "
                + "loss: 1 - received/expected by RTP sequence numbers per viewer; bench CPU: the load client's own");
        String streams = "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":640,\"height\":360,\"fps\":30,\"bitrateKbps\":"
                + bitrate + ",\"layers\":1}]";
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(8));
        List<Row> rows = new ArrayList<>();
        Process janus = null;
        try (LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 4, bitrate);
             EdgeProcess edge = EdgeProcess.start(jar, Map.of("media.plane", "forwarder", "media.maxViewers", "2000",
                     "media.forwarder.port", "0", "streams", streams, "p2p.enabled", "false",
                     "media.forwarder.congestionFeedback", "remb"), Path.of("target/bench-janus-edge.log"))) {
            janus = new ProcessBuilder("ip", "netns", "exec", janusNamespace, "janus", "-C", janusConfig.resolve("janus.jcfg").toString(), "-F", janusConfig.toString(),
                    "-o", "-N", "-L", Path.of("target/bench-janus.log").toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(Path.of("target/bench-janus.out").toFile()).start();
            Process started = janus;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            untilListening(janusHost, janusPort, 30_000);
            LoadViewer tap = crowd.join(edge.port(), "/app/stream").await(30, TimeUnit.SECONDS);
            DatagramSocket out = vertx.createDatagramSocket();
            tap.tap(out, new InetSocketAddress(janusHost, JANUS_VIDEO_PORT), new InetSocketAddress(janusHost, JANUS_AUDIO_PORT));
            System.out.printf(Locale.ROOT, "%-6s %7s %11s %8s %14s %9s %10s%n", "server", "viewers", "server CPU%", "RSS MB",
                    "kbit/s min/avg", "loss max", "bench CPU%");
            rows.addAll(steps("edge", edge.pid(), new Compilers(new JitWatch(edge.pid()), jitRounds), steps, warmup, measure,
                    () -> crowd.join(edge.port(), "/app/stream")));
            rows.addAll(steps("janus", janus.pid(), Compilers.NONE, steps, warmup, measure,
                    () -> crowd.joinJanus(janusHost, janusPort, MOUNTPOINT, loadAddress)));
            tap.close().await(10, TimeUnit.SECONDS);
        } finally {
            if (janus != null) {
                janus.destroy();
                if (!janus.waitFor(10, TimeUnit.SECONDS)) {
                    janus.destroyForcibly();
                }
            }
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        summary(rows);
    }

    /**
     * One server: idle, then each step's viewers joined (in batches of 20, as a crowd arrives) and measured; a JVM's
     * only once its compilers have settled before each window.
     */
    private static List<Row> steps(String server, long pid, Compilers jit, int[] steps, int warmup,
                                   int measure, Supplier<Future<LoadViewer>> join) throws Exception {
        List<Row> rows = new ArrayList<>();
        List<LoadViewer> loads = new ArrayList<>();
        try {
            Thread.sleep(warmup * 1000L);
            jit.settle(server);
            Row idle = new Row(server, 0, EdgeProcess.cpuPercent(measure, pid)[0], EdgeProcess.rssKb(pid) / 1024.0, 0, 0, 0, 0);
            print(idle);
            rows.add(idle);
            for (int step : steps) {
                try {
                    while (loads.size() < step) {
                        List<Future<LoadViewer>> batch = new ArrayList<>();
                        for (int i = 0; i < 20 && loads.size() + batch.size() < step; i++) {
                            batch.add(join.get());
                        }
                        for (Future<LoadViewer> joining : batch) {
                            loads.add(joining.await(60, TimeUnit.SECONDS));
                        }
                    }
                } catch (Exception e) {
                    // A server that cannot take more viewers has found its ceiling: its later steps are not measured.
                    System.out.printf(Locale.ROOT, "%-6s %7d joins failed after %d viewers (%s): no further step%n", server, step,
                            loads.size(), e.getMessage());
                    break;
                }
                Thread.sleep(warmup * 1000L);
                jit.settle(server);
                jit.start();
                List<LoadViewer.Counts> before = LoadWindow.snapshot(loads);
                long benchTicks = EdgeProcess.cpuTicks(ProcessHandle.current().pid());
                long start = System.nanoTime();
                ThreadCpu threads = ThreadCpu.start(pid);
                double cpu = EdgeProcess.cpuPercent(measure, pid)[0];
                double seconds = (System.nanoTime() - start) / 1e9;
                double benchCpu = EdgeProcess.ownCpuPercent(benchTicks, seconds);
                LoadWindow received = LoadWindow.between(before, LoadWindow.snapshot(loads));
                Row row = new Row(server, step, cpu, EdgeProcess.rssKb(pid) / 1024.0, received.kbpsMin(), received.kbpsAvg(),
                        received.lossMax(), benchCpu);
                print(row);
                System.out.println("       busiest threads: " + threads.busiest(4) + jit.share());
                rows.add(row);
            }
        } finally {
            Future.join(loads.stream().map(LoadViewer::close).toList()).await(30, TimeUnit.SECONDS);
        }
        return rows;
    }

    /**
     * A server's JIT compilers, waited for before each window: an edge just started, or just given more viewers,
     * compiles for a minute or more, and an idle window that caught it made the edge's idle costlier than 50 viewers
     * (2026-12-05). Janus, compiled ahead, has {@link #NONE}.
     */
    private record Compilers(JitWatch watch, int maxRounds) {

        static final Compilers NONE = new Compilers(null, 0);

        void settle(String server) throws Exception {
            if (watch != null) {
                System.out.printf(Locale.ROOT, "%-6s %s%n", server, watch.settle(JIT_SETTLED, JIT_ROUND_S, maxRounds));
            }
        }

        void start() throws Exception {
            if (watch != null) {
                watch.start();
            }
        }

        /** The compilers' share of the window since {@link #start()}, to print beside its figures. */
        String share() throws Exception {
            return watch == null ? "" : String.format(Locale.ROOT, "; JIT %.1f%% of a core", 100 * watch.busiest());
        }
    }

    private static void untilListening(String host, int port, long millis) throws Exception {
        Waits.until(() -> {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }, millis, "Janus listens on " + host + ":" + port);
    }

    private static void print(Row r) {
        System.out.printf(Locale.ROOT, "%-6s %7d %11.1f %8.1f %6.0f / %5.0f %8.2f%% %10.1f%n", r.server, r.viewers, r.cpu,
                r.rssMb, r.kbpsMin, r.kbpsAvg, r.lossMax * 100, r.benchCpu);
    }

    /**
     * Per viewer at each server's largest step with no loss, over the same server idle, and between its first and that
     * step; then both at the largest step where neither lost a packet, the edge's viewers per core over Janus'.
     */
    private static void summary(List<Row> rows) {
        System.out.println("per viewer, at each server's largest step with no loss, over the same server with no viewer "
                + "(and between its first step and that one):");
        for (String server : List.of("edge", "janus")) {
            List<Row> lossless = lossless(rows, server);
            if (lossless.size() < 2) {
                System.out.printf(Locale.ROOT, "  %-5s lost packets at every step%n", server);
                continue;
            }
            Row idle = lossless.get(0);
            Row top = lossless.get(lossless.size() - 1);
            String between = "";
            if (lossless.size() > 2) {
                Row first = lossless.get(1);
                double slope = (top.cpu - first.cpu) / (top.viewers - first.viewers);
                between = String.format(Locale.ROOT, " (%d to %d: %.3f%% each -> %.0f per core)", first.viewers, top.viewers,
                        slope, 100 / slope);
            }
            System.out.printf(Locale.ROOT, "  %-5s %d viewers: %.3f%% of a core each -> %.0f viewers per core%s; RSS %.2f MB "
                            + "each%n", server, top.viewers, cpuPerViewer(idle, top), 100 / cpuPerViewer(idle, top), between,
                    (top.rssMb - idle.rssMb) / top.viewers);
        }
        List<Row> edge = lossless(rows, "edge");
        List<Row> janus = lossless(rows, "janus");
        // Janus saturates first: both compared at its largest lossless step, which the edge was measured at too.
        for (int i = janus.size() - 1; i > 0; i--) {
            Row theirs = janus.get(i);
            Row ours = edge.stream().filter(r -> r.viewers == theirs.viewers).findFirst().orElse(null);
            if (ours != null) {
                System.out.printf(Locale.ROOT, "edge / janus viewers per core at %d viewers, the largest step where neither lost a "
                                + "packet: %.2fx%n", ours.viewers,
                        cpuPerViewer(janus.get(0), theirs) / cpuPerViewer(edge.get(0), ours));
                return;
            }
        }
        System.out.println("edge / janus: no step where neither lost a packet");
    }

    /** The server's idle row and its steps up to the first that lost a packet (or failed), in order. */
    private static List<Row> lossless(List<Row> rows, String server) {
        List<Row> of = new ArrayList<>();
        for (Row r : rows) {
            if (r.server.equals(server)) {
                if (r.lossMax > 0) {
                    break;
                }
                of.add(r);
            }
        }
        return of;
    }

    private static double cpuPerViewer(Row idle, Row step) {
        return (step.cpu - idle.cpu) / step.viewers;
    }

}
