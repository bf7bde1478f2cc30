package p2pedge.bench;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.Waits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two media planes side by side in one run, on the same demo stream: the per-viewer webrtc-java path (an
 * encoder per viewer) and the RTP forwarder (encoded once). For each plane it starts the edge jar as a child
 * process and attaches, step by step, load viewers (ICE, DTLS-SRTP, every packet authenticated and counted,
 * nothing decoded: see {@link LoadViewer}) plus a few real webrtc-java decoders that prove the picture moves;
 * at each step it measures the edge's CPU and RSS from /proc, its live heap after a full GC (jcmd), every
 * viewer's packet loss and bitrate, and the decoders' frame rate.
 * <p>
 * Environment: PLANES (default "webrtc forwarder"; "forwarder" gets REMB feedback, which load viewers do not send, so
 * every viewer is on the top layer; "twcc" is the forwarder with transport-wide congestion control, the default, its
 * load viewers sending the feedback a browser sends and the edge choosing each one's layer from it),
 * WEBRTC_VIEWERS (default "10 20"), FORWARDER_VIEWERS ("200 500 1000", also twcc's), LAYERS (the demo's simulcast
 * layers, 1), DECODERS (2), BITRATE_KBPS (600), WARMUP_S (5), FIRST_WARMUP_S (60: a plane's first step), MEASURE_S (10),
 * JIT_ROUNDS (24), LOAD_TICK_MS (40: the load client reads its sockets on this tick, several datagrams a system call,
 * each datagram's arrival the kernel's time stamp, see {@link p2pedge.testing.SocketPoller}; 0: each datagram as it
 * comes, timed when read, which fills the load client's core before the edge's at about 1,000 viewers; 20 filled it at
 * 1,000 twcc viewers too, see the README); EDGE_CPUS and
 * BENCH_CPUS (bench/run-bench.sh) give the edge and the load client cores of their own, so that the edge's ceiling is
 * its own, not the machine's.
 * <p>
 * Before each window the bench waits, in rounds of {@link #JIT_ROUND_S} seconds (at most JIT_ROUNDS), until the edge's
 * JIT compilers were busy for less than {@link #JIT_SETTLED} of a round: on a core of its own, a C2 compilation
 * takes a third to a half of that core for a few hundred milliseconds, the forwarding thread falls behind, and every
 * viewer's frames come up to 200 ms late together; a window that caught one measured the JIT, not the forwarder. The
 * compilers' share of each window is printed beside it, so a window they still touched shows.
 */
public final class MediaPlaneBench {

    private record Row(String plane, int viewers, double cpu, double rssMb, double heapMb, double kbpsMin, double kbpsAvg,
                       double lossMax, double fpsMin, double connectP50, double benchCpu, FrameDelays.Window delay, double jit,
                       EdgeHold edgeHold) {

        boolean withinCeiling() {
            return lossMax == 0 && delay.p99() >= 0 && delay.p99() < CEILING_DELAY_MS;
        }

        /** As {@link #withinCeiling}, the delay the edge's own: its source packets' p99 stay (a bucket's bound) under the bound. */
        boolean withinEdgeCeiling() {
            return lossMax == 0 && edgeHold.p99Millis() <= CEILING_DELAY_MS;
        }
    }

    /** The edge's own time for its source packets in a window, bucket bounds (ms) of their p50 and p99; NaN: not timed. */
    private record EdgeHold(double p50Millis, double p99Millis) {
        static final EdgeHold NONE = new EdgeHold(Double.NaN, Double.NaN);
    }

    /** A step is within the edge's ceiling with no loss and frames at most this much later than the fastest. */
    private static final int CEILING_DELAY_MS = 50;
    /** The warm-up of each plane's first step with viewers, in seconds (at least WARMUP_S). */
    private static final int FIRST_WARMUP_S = BenchEnv.integer("FIRST_WARMUP_S", 60);
    /** How long each round of waiting for the edge's JIT to settle lasts. */
    private static final int JIT_ROUND_S = 5;
    /**
     * The share of a round the edge's compilers may take and the JIT count as settled: stricter than the other benches'
     * ({@link JitWatch#SETTLED}), as 5 % of a window here is time enough for one compilation to make every viewer late.
     */
    private static final double JIT_SETTLED = 0.01;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        List<String> planes = List.of(System.getenv().getOrDefault("PLANES", "webrtc forwarder").trim().split("\\s+"));
        int[] webrtc = counts("WEBRTC_VIEWERS", "10 20");
        int[] forwarder = counts("FORWARDER_VIEWERS", "200 500 1000");
        int layers = BenchEnv.integer("LAYERS", 1);
        int decoders = BenchEnv.integer("DECODERS", 2);
        int bitrate = BenchEnv.integer("BITRATE_KBPS", 600);
        int warmup = BenchEnv.integer("WARMUP_S", 5);
        int measure = BenchEnv.integer("MEASURE_S", 10);
        int jitRounds = BenchEnv.integer("JIT_ROUNDS", 24);
        int loadTick = BenchEnv.integer("LOAD_TICK_MS", 40);
        System.out.println("placement: " + placement());
        System.out.printf(Locale.ROOT, "cores this process may use: %d; stream app/stream VP8 640x360@30 at %d kbit/s (%d layer(s)) + Opus; "
                        + "%d of the viewers at each step are webrtc-java decoders, the rest load viewers; warmup %d s (a plane's "
                        + "first step %d s; the metrics scraped each second), measured over %d s once the edge's JIT compilers "
                        + "were busy for less than %.0f%% of a %d s round (at most %d rounds); planes %s%n",
                Runtime.getRuntime().availableProcessors(), bitrate, layers, decoders, warmup, Math.max(warmup, FIRST_WARMUP_S),
                measure, 100 * JIT_SETTLED, JIT_ROUND_S, jitRounds, planes);
        System.out.println("edge CPU: process CPU time / wall time from /proc/PID/stat (100% = one core); RSS: VmRSS; "
                + "heap: used after a full GC (jcmd GC.run); loss: 1 - received/expected by RTP sequence numbers per viewer; added delay: "
                + "each video frame's first packet's arrival at a load viewer (see below) less its capture time (its RTP timestamp by the "
                + "source's sender reports), all load viewers' frames in the window, over the fastest frames of the plane's run "
                + "so far (their 1st percentile); edge JIT%: how long the edge's compilations took in the window, start to end "
                + "(java.ci.totalTime: a busy core stretches it, the compiler threads' CPU is in busiest threads; 100% = the "
                + "window); edge hold: "
                + "the forwarder's own p2pedge_media_forward_delay_packets over the window, each source packet from its read off the "
                + "socket until every viewer's copy was sent, as the upper bounds of the histogram buckets holding its 50th and 99th "
                + "percentiles (the load client's own delays, in added delay, are not in it); busiest threads: /proc/PID/task, "
                + "their system time as kernel; core(s): /proc/stat over the window, whatever ran there (softirq: the "
                + "kernel's packet work, in a process' system time only when it ran in that process' system call)");
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(8));
        HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory = new PeerConnectionFactory(audio);
        List<Row> rows = new ArrayList<>();
        LoadViewer.Crowd created = LoadViewer.Crowd.create(vertx, 4, bitrate);
        try (LoadViewer.Crowd crowd = loadTick > 0 ? created.withPolledReceive(loadTick) : created) {
            System.out.println(crowd.poller() != null ? "the load client reads its viewers' sockets every " + loadTick
                    + " ms (recvmmsg; arrivals timed by the kernel, SO_TIMESTAMPNS)"
                    : "the load client reads each datagram as it comes (Netty's selector, a recvfrom each; arrivals timed then)");
            if (planes.contains("twcc")) {
                System.out.println("twcc's load viewers send transport-wide feedback every " + LoadViewer.FEEDBACK_INTERVAL_MS
                        + " ms (as Chromium does, see LoadViewer; another with -Dp2pedge.load.feedbackMillis in BENCH_JAVA_OPTS)");
            }
            System.out.printf(Locale.ROOT, "%-9s %7s %9s %8s %8s %14s %9s %8s %11s %10s %26s %9s %20s%n", "plane", "viewers", "edge CPU%",
                    "RSS MB", "heap MB", "kbit/s min/avg", "loss max", "fps min", "connect p50", "bench CPU%", "added delay p50/p99/max ms",
                    "edge JIT%", "edge hold p50/p99 ms");
            for (String plane : planes) {
                rows.addAll(plane(plane, plane.equals("webrtc") ? webrtc : forwarder, jar, bitrate, layers, decoders, warmup,
                        measure, jitRounds, vertx, plane.equals("twcc") ? crowd.withTransportFeedback() : crowd, factory));
            }
        } finally {
            factory.dispose();
            audio.dispose();
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        summary(rows, planes);
    }

    private static List<Row> plane(String plane, int[] steps, Path jar, int bitrate, int layers, int decoders, int warmup,
                                   int measure, int jitRounds, Vertx vertx, LoadViewer.Crowd crowd, PeerConnectionFactory factory)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        String streams = "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":640,\"height\":360,\"fps\":30,\"bitrateKbps\":"
                + bitrate + ",\"layers\":" + layers + "}]";
        List<LoadViewer> loads = new ArrayList<>();
        List<JavaViewer> real = new ArrayList<>();
        FrameDelays delays = new FrameDelays();
        Map<String, String> config = new java.util.HashMap<>(Map.of("media.plane", plane.equals("webrtc") ? "webrtc" : "forwarder",
                "media.maxViewers", "2000", "media.forwarder.port", "0", "streams", streams, "p2p.enabled", "false"));
        int metricsPort = Waits.freePort();
        config.put("metrics.port", Integer.toString(metricsPort));
        if (!plane.equals("webrtc")) {
            config.put("media.forwarder.congestionFeedback", plane.equals("twcc") ? "twcc" : "remb");
        }
        try (EdgeProcess edge = EdgeProcess.start(jar, config, Path.of("target/bench-edge-" + plane + ".log"))) {
            warmUp(warmup, metricsPort);
            JitWatch jit = new JitWatch(edge.pid());
            settle(jit, jitRounds);
            jit.start();
            double idleCpu = edge.cpuPercent(measure);
            Row idle = new Row(plane, 0, idleCpu, edge.rssKb() / 1024.0, edge.heapAfterGcKb() / 1024.0, 0, 0, 0, 0, 0, 0,
                    FrameDelays.Window.NONE, 100 * jit.busiest(), EdgeHold.NONE);
            print(idle);
            rows.add(idle);
            for (int step : steps) {
                while (real.size() < Math.min(decoders, step)) {
                    real.add(new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/app/stream")));
                }
                // Join in batches, as a crowd arrives, not all in the same millisecond.
                while (loads.size() + real.size() < step) {
                    List<Future<LoadViewer>> batch = new ArrayList<>();
                    for (int i = 0; i < 20 && loads.size() + real.size() + batch.size() < step; i++) {
                        batch.add(crowd.join(edge.port(), "/app/stream"));
                    }
                    for (Future<LoadViewer> joining : batch) {
                        loads.add(joining.await(60, TimeUnit.SECONDS));
                    }
                }
                for (JavaViewer viewer : real) {
                    viewer.awaitConnected(30_000);
                }
                // The first step with viewers warms longer: the code run once per source packet (about 110 a second:
                // the batch's flush, the sender reports' fan-out) reaches C2's thresholds only after 45 s or so, and
                // reached them in the first window; an edge in service is long past them.
                warmUp(step == steps[0] ? Math.max(warmup, FIRST_WARMUP_S) : warmup, metricsPort);
                settle(jit, jitRounds);
                jit.start();
                Scrape edgeBefore = Scrape.of(metricsPort);
                delays.skip(loads);
                List<LoadViewer.Counts> before = LoadWindow.snapshot(loads);
                long framesFrom = System.nanoTime();
                long[] framesBefore = real.stream().mapToLong(JavaViewer::frames).toArray();
                long[] numbersBefore = real.stream().mapToLong(JavaViewer::lastFrameNumber).toArray();
                long benchTicks = EdgeProcess.cpuTicks(ProcessHandle.current().pid());
                long start = System.nanoTime();
                ThreadCpu edgeThreads = ThreadCpu.start(edge.pid());
                ThreadCpu benchThreads = ThreadCpu.start(ProcessHandle.current().pid());
                CoreTime edgeCores = CoreTime.start(EDGE_CPUS);
                CoreTime benchCores = CoreTime.start(BENCH_CPUS);
                double cpu = edge.cpuPercent(measure);
                double seconds = (System.nanoTime() - start) / 1e9;
                long[] framesAfter = real.stream().mapToLong(JavaViewer::frames).toArray();
                double framesSeconds = (System.nanoTime() - framesFrom) / 1e9;
                LoadWindow received = LoadWindow.between(before, LoadWindow.snapshot(loads));
                Scrape edgeAfter = Scrape.of(metricsPort);
                EdgeHold edgeHold = edgeHold(edgeBefore, edgeAfter);
                double benchCpu = EdgeProcess.ownCpuPercent(benchTicks, seconds);
                FrameDelays.Window delay = delays.window(loads);
                double jitPercent = 100 * jit.busiest();
                double fpsMin = Double.MAX_VALUE;
                for (int i = 0; i < real.size(); i++) {
                    fpsMin = Math.min(fpsMin, (framesAfter[i] - framesBefore[i]) / framesSeconds);
                    if (real.get(i).lastFrameNumber() <= numbersBefore[i]) {
                        fpsMin = 0; // decoded frames that do not move on prove nothing
                    }
                }
                double[] connects = loads.stream().mapToDouble(LoadViewer::connectMillis).sorted().toArray();
                Row row = new Row(plane, step, cpu, edge.rssKb() / 1024.0, edge.heapAfterGcKb() / 1024.0,
                        received.kbpsMin(), received.kbpsAvg(), received.lossMax(),
                        real.isEmpty() ? 0 : fpsMin, connects.length == 0 ? 0 : connects[connects.length / 2], benchCpu, delay,
                        jitPercent, edgeHold);
                print(row);
                // One thread at 100 % is a ceiling whatever the process' total: the edge's forwarding, the load client's loop.
                System.out.println("          busiest threads: edge " + edgeThreads.busiest(3) + "; load client " + benchThreads.busiest(2));
                // The core, not only the process: softirq run outside the edge's own system calls is in no process' CPU.
                System.out.println("          " + (EDGE_CPUS.isBlank() ? "cores: " + edgeCores.summary()
                        : "the edge's core(s): " + edgeCores.summary() + "; the load client's: " + benchCores.summary()));
                if (!loads.isEmpty()) {
                    System.out.println("          load viewers' SRTP, as the edge picked: " + loads.stream()
                            .map(v -> v.srtpProfile().map(Enum::name).orElse("none"))
                            .collect(java.util.stream.Collectors.groupingBy(name -> name, java.util.TreeMap::new,
                                    java.util.stream.Collectors.counting())));
                }
                String counted = windowCounts(edgeBefore, edgeAfter);
                if (!counted.isEmpty()) {
                    System.out.println("          the edge's counters over the window: " + counted);
                }
                rows.add(row);
            }
        } finally {
            Future.join(loads.stream().map(LoadViewer::close).toList()).await(30, TimeUnit.SECONDS);
            real.forEach(JavaViewer::close);
        }
        return rows;
    }

    private static void print(Row r) {
        System.out.printf(Locale.ROOT, "%-9s %7d %9.1f %8.1f %8.1f %6.0f / %5.0f %8.2f%% %8.1f %8.0f ms %10.1f %10.0f / %4.0f / %4.0f %9.1f %20s%n",
                r.plane, r.viewers, r.cpu, r.rssMb, r.heapMb, r.kbpsMin, r.kbpsAvg, 100 * r.lossMax, r.fpsMin, r.connectP50, r.benchCpu,
                r.delay.p50(), r.delay.p99(), r.delay.max(), r.jit, bound(r.edgeHold.p50Millis()) + " / " + bound(r.edgeHold.p99Millis()));
    }

    private static String bound(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        return Double.isInfinite(millis) ? "> 2000" : String.format(Locale.ROOT, millis < 1 ? "<= %.2f" : "<= %.0f", millis);
    }

    /** The edge's counters of what viewers' feedback and its port's drops made it do, printed when they grew in a window. */
    private static final List<String> WINDOW_COUNTERS = List.of("p2pedge_media_keyframe_requests_total",
            "p2pedge_media_retransmitted_packets_total", "p2pedge_media_port_dropped_total", "p2pedge_media_source_retransmissions_total");

    /** What {@link #WINDOW_COUNTERS} grew by between two scrapes (those that grew), as "name{labels} +n". */
    private static String windowCounts(Scrape before, Scrape after) {
        List<String> grown = new ArrayList<>();
        for (String name : WINDOW_COUNTERS) {
            Map<String, Double> was = before.samples(name);
            after.samples(name).forEach((key, now) -> {
                double grew = now - was.getOrDefault(key, 0.0);
                if (grew > 0) {
                    grown.add(key.replaceFirst(",?edge=\"[^\"]*\"", "").replace("{}", "") + " +" + Math.round(grew));
                }
            });
        }
        return String.join(", ", grown);
    }

    /**
     * The edge's hold over a window: the upper bounds (ms) of the buckets holding the 50th and 99th percentiles of the
     * source packets it timed between two scrapes (its p2pedge_media_forward_delay_packets); NaN for a plane that times
     * none (the per-viewer one).
     */
    private static EdgeHold edgeHold(Scrape before, Scrape after) {
        String name = "p2pedge_media_forward_delay_packets_total";
        java.util.NavigableMap<Double, Double> was = before.buckets(name, "");
        java.util.NavigableMap<Double, Double> counted = new java.util.TreeMap<>();
        after.buckets(name, "").forEach((seconds, now) -> counted.put(1000 * seconds, now - was.getOrDefault(seconds, 0.0)));
        return new EdgeHold(Scrape.bucketBound(counted, 0.5), Scrape.bucketBound(counted, 0.99));
    }

    /**
     * The warm-up: {@code seconds}, the edge's metrics scraped each one. A window's own scrapes compiled the exposition's
     * methods on the edge's core while it was measured (its first scrape, then the next ones' C2 tier); an edge in
     * service has been scraped long before.
     */
    private static void warmUp(int seconds, int metricsPort) throws Exception {
        for (int i = 0; i < seconds; i++) {
            Scrape.of(metricsPort);
            Thread.sleep(1000);
        }
    }

    /** Waits in rounds until the edge's JIT compilers were busy for less than {@link #JIT_SETTLED} of one. */
    private static void settle(JitWatch jit, int maxRounds) throws Exception {
        System.out.println("          " + jit.settle(JIT_SETTLED, JIT_ROUND_S, maxRounds));
    }

    /** Per-viewer cost at each plane's largest step, relative to the same edge with no viewer. */
    private static void summary(List<Row> rows, List<String> planes) {
        System.out.println();
        System.out.println("per viewer, at each plane's largest step, over the idle edge of that plane:");
        Map<String, Double> viewersPerCore = new java.util.HashMap<>();
        for (String plane : planes) {
            List<Row> of = rows.stream().filter(r -> r.plane.equals(plane)).toList();
            if (of.size() < 2) {
                continue;
            }
            Row idle = of.get(0);
            Row top = of.get(of.size() - 1);
            double cpuPerViewer = (top.cpu - idle.cpu) / top.viewers;
            viewersPerCore.put(plane, 100 / cpuPerViewer);
            System.out.printf(Locale.ROOT, "  %-9s %d viewers: %.2f%% of a core each -> %.0f viewers per core; "
                            + "RSS %.2f MB and live heap %.3f MB each; max loss %.2f%%%n",
                    plane, top.viewers, cpuPerViewer, viewersPerCore.get(plane), (top.rssMb - idle.rssMb) / top.viewers,
                    (top.heapMb - idle.heapMb) / top.viewers, 100 * top.lossMax);
        }
        for (String plane : planes) {
            // The ceiling holds up to it: a step that failed below a passing one is not skipped over.
            List<Row> steps = rows.stream().filter(r -> r.plane.equals(plane) && r.viewers > 0).toList();
            Row ceiling = null;
            for (Row r : steps) {
                if (!r.withinCeiling()) {
                    break;
                }
                ceiling = r;
            }
            if (ceiling == null) {
                System.out.printf(Locale.ROOT, "  %-9s ceiling here: below the smallest step%n", plane);
            } else {
                System.out.printf(Locale.ROOT, "  %-9s ceiling here: %d viewers, the largest step that, and every step below it, had no "
                                + "loss and an added delay under %d ms at the 99th percentile (edge %.1f%% of a core, load client "
                                + "%.1f%%: %s)%n", plane, ceiling.viewers, CEILING_DELAY_MS, ceiling.cpu, ceiling.benchCpu, placement());
            }
            // A load client at the end of its core delays frames itself: the edge's own time tells the two apart.
            Row edgeCeiling = null;
            for (Row r : steps) {
                if (!r.withinEdgeCeiling()) {
                    break;
                }
                edgeCeiling = r;
            }
            if (edgeCeiling != null) {
                System.out.printf(Locale.ROOT, "  %-9s the edge's own ceiling here: %d viewers, the largest step that, and every step "
                                + "below it, had no loss and held 99%% of its source packets at most %d ms (edge hold; edge %.1f%% of a "
                                + "core, load client %.1f%%)%n", plane, edgeCeiling.viewers, CEILING_DELAY_MS, edgeCeiling.cpu,
                        edgeCeiling.benchCpu);
            } else if (!steps.isEmpty() && !Double.isNaN(steps.get(0).edgeHold.p99Millis())) {
                System.out.printf(Locale.ROOT, "  %-9s the edge's own ceiling here: below the smallest step%n", plane);
            }
        }
        ratio(viewersPerCore, "forwarder", "webrtc");
        ratio(viewersPerCore, "twcc", "forwarder");
    }

    /** Where the two processes ran: pinned by EDGE_CPUS and BENCH_CPUS (run-bench.sh), or sharing every core. */
    private static String placement() {
        return EDGE_CPUS.isEmpty() ? "both on this machine's cores" + (BENCH_CPUS.isEmpty() ? "" : ", the load client pinned to " + BENCH_CPUS)
                : "the edge alone on core(s) " + EDGE_CPUS + ", the load client on " + (BENCH_CPUS.isEmpty() ? "any" : BENCH_CPUS);
    }

    /** The cores the edge and the load client were pinned to (taskset lists; empty: not pinned). */
    private static final String EDGE_CPUS = BenchEnv.text("EDGE_CPUS");
    private static final String BENCH_CPUS = BenchEnv.text("BENCH_CPUS");

    private static void ratio(Map<String, Double> viewersPerCore, String plane, String over) {
        if (viewersPerCore.containsKey(plane) && viewersPerCore.containsKey(over)) {
            System.out.printf(Locale.ROOT, "%s / %s viewers per core: %.2fx%n", plane, over, viewersPerCore.get(plane) / viewersPerCore.get(over));
        }
    }

    private static int[] counts(String name, String fallback) {
        return Arrays.stream(System.getenv().getOrDefault(name, fallback).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

}
