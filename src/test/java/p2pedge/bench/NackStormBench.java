package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.Scrape;
import p2pedge.testing.Waits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Egress during a NACK storm against the stream's rate. Each run starts the edge jar as a child process, attaches
 * load viewers (ICE, DTLS-SRTP, every packet authenticated and counted, see {@link LoadViewer}), measures the edge's
 * egress with nobody NACKing, then has one of them send SRTCP NACKs naming its newest 17 packets REPEATS times each,
 * NACKS_PER_S a second for STORM_S seconds, and measures the edge's egress again from the storm's second second on
 * (the budget's one-second burst is spent by then). Egress is the edge's own counter of every datagram its UDP port
 * sent ({@code p2pedge_media_egress_bytes_total} on its metrics port); the stream's rate is what one well-behaved
 * viewer received (SRTP bytes of audio and video); the bound is stream x viewers + the retransmission budget.
 * <p>
 * Environment: RUNS (3), VIEWERS (5), STORM_S (6), NACKS_PER_S (10), REPEATS (300), BUDGET_PERCENT (20, passed to
 * the edge as media.forwarder.retransmitBudgetPercent), BITRATE_KBPS (600), WARMUP_S (3), MEASURE_S (3).
 */
public final class NackStormBench {

    private record Run(double streamKbps, double calmKbps, double stormKbps, double boundKbps, long nacks, double cleanLoss,
                       String refused) {
        double ratio() {
            return stormKbps / boundKbps;
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int runs = BenchEnv.integer("RUNS", 3);
        int viewers = BenchEnv.integer("VIEWERS", 5);
        int stormSeconds = BenchEnv.integer("STORM_S", 6);
        int nacksPerSecond = BenchEnv.integer("NACKS_PER_S", 10);
        int repeats = BenchEnv.integer("REPEATS", 300);
        int budget = BenchEnv.integer("BUDGET_PERCENT", 20);
        int bitrate = BenchEnv.integer("BITRATE_KBPS", 600);
        int warmup = BenchEnv.integer("WARMUP_S", 3);
        int measure = BenchEnv.integer("MEASURE_S", 3);
        System.out.printf(Locale.ROOT, "machine: %d cores; stream app/stream VP8 640x360@30 at %d kbit/s + Opus; %d load viewers, "
                        + "one of which sends %d SRTCP NACKs/s (%d bytes each: its newest 17 packets x %d) for %d s; "
                        + "retransmission budget %d%% of the stream; %d runs%n", Runtime.getRuntime().availableProcessors(), bitrate,
                viewers, nacksPerSecond, 12 + 4 * repeats + 10 + 4, repeats, stormSeconds, budget, runs);
        System.out.println("egress: the edge's p2pedge_media_egress_bytes_total (every datagram its UDP port sent) over the window; "
                + "stream: SRTP bytes one non-NACKing viewer received; s*v+b: stream x viewers + budget x stream; ratio: storm egress / s*v+b (the test's bound: 1.1)");
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(8));
        List<Run> results = new ArrayList<>();
        try (LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 4, bitrate)) {
            System.out.printf(Locale.ROOT, "%4s %12s %12s %12s %12s %8s %8s %10s  %s%n", "run", "stream kb/s", "calm kb/s",
                    "storm kb/s", "s*v+b kb/s", "ratio", "NACKs", "clean loss", "NACKed packets refused");
            for (int run = 1; run <= runs; run++) {
                Run r = run(jar, vertx, crowd, run, viewers, stormSeconds, nacksPerSecond, repeats, budget, bitrate, warmup, measure);
                if (r.streamKbps() <= 0 || r.nacks() == 0) {
                    // No stream to compare with (the edge's source stalled), or no storm sent: say so, count nothing.
                    System.out.printf(Locale.ROOT, "%4d run discarded: stream %.0f kbit/s, %d NACKs sent (see target/bench-nack-storm-%d.log)%n",
                            run, r.streamKbps(), r.nacks(), run);
                    continue;
                }
                results.add(r);
                System.out.printf(Locale.ROOT, "%4d %12.0f %12.0f %12.0f %12.0f %8.2f %8d %9.2f%%  %s%n", run, r.streamKbps(),
                        r.calmKbps(), r.stormKbps(), r.boundKbps(), r.ratio(), r.nacks(), r.cleanLoss() * 100, r.refused());
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("no valid run");
        }
        double[] ratios = results.stream().mapToDouble(Run::ratio).sorted().toArray();
        double[] storm = results.stream().mapToDouble(Run::stormKbps).sorted().toArray();
        double[] stream = results.stream().mapToDouble(Run::streamKbps).sorted().toArray();
        System.out.printf(Locale.ROOT, "summary over %d runs: egress during the storm %.0f kbit/s median (%.0f..%.0f), against a stream "
                        + "of %.0f kbit/s median x %d viewers; egress / (stream x viewers + budget) %.2f median (%.2f..%.2f; bound 1.10)%n",
                results.size(), Spread.of(storm).median(), storm[0], storm[storm.length - 1], Spread.of(stream).median(), viewers, Spread.of(ratios).median(), ratios[0],
                ratios[ratios.length - 1]);
    }

    private static Run run(Path jar, Vertx vertx, LoadViewer.Crowd crowd, int run, int viewerCount, int stormSeconds, int nacksPerSecond,
                           int repeats, int budget, int bitrate, int warmup, int measure) throws Exception {
        String streams = "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":640,\"height\":360,\"fps\":30,\"bitrateKbps\":" + bitrate + "}]";
        int metricsPort = Waits.freePort();
        List<LoadViewer> viewers = new ArrayList<>();
        long storm = -1;
        // The ome policy: no User-Agent parser to load, so the edge starts quicker; P2P is off anyway.
        try (EdgeProcess edge = EdgeProcess.start(jar, Map.of("media.forwarder.port", "0", "streams", streams, "p2p.enabled", "false", "p2p.policy", "ome",
                "metrics.port", Integer.toString(metricsPort), "media.forwarder.retransmitBudgetPercent", Integer.toString(budget)),
                Path.of("target/bench-nack-storm-" + run + ".log"))) {
            for (int i = 0; i < viewerCount; i++) {
                viewers.add(crowd.join(edge.port(), "/app/stream").await(60, TimeUnit.SECONDS));
            }
            Thread.sleep(warmup * 1000L);
            LoadViewer clean = viewers.get(viewers.size() - 1);
            LoadViewer attacker = viewers.get(0);
            // Calm: nobody NACKs.
            egress(metricsPort); // the first scrape is slow (registry, JIT): it would skew the first window
            Egress egress0 = egress(metricsPort);
            LoadViewer.Counts clean0 = clean.counts().await(10, TimeUnit.SECONDS);
            Thread.sleep(measure * 1000L);
            Egress calmEgress = egress(metricsPort).since(egress0);
            LoadViewer.Counts calm = clean.counts().await(10, TimeUnit.SECONDS).minus(clean0);
            // The storm, bounded in count and time.
            AtomicLong nacks = new AtomicLong();
            long maxNacks = (long) nacksPerSecond * stormSeconds;
            long stormStart = System.nanoTime();
            storm = vertx.setPeriodic(Math.max(1, 1000 / nacksPerSecond), t -> {
                if (nacks.get() >= maxNacks || System.nanoTime() - stormStart > (stormSeconds + 2) * 1_000_000_000L) {
                    return;
                }
                attacker.recentVideoSequences(17).onSuccess(recent -> {
                    if (recent.length > 0) {
                        int[] pids = new int[repeats];
                        Arrays.fill(pids, recent[0]);
                        attacker.sendNack(pids).onSuccess(v -> nacks.incrementAndGet());
                    }
                });
            });
            Thread.sleep(1_000);
            Egress egress1 = egress(metricsPort);
            LoadViewer.Counts clean1 = clean.counts().await(10, TimeUnit.SECONDS);
            long windowStart = System.nanoTime();
            Thread.sleep(Math.max(1, stormSeconds - 1) * 1000L);
            Egress stormEgress = egress(metricsPort).since(egress1);
            LoadViewer.Counts during = clean.counts().await(10, TimeUnit.SECONDS).minus(clean1);
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            vertx.cancelTimer(storm);
            Scrape scrape = Scrape.of(metricsPort);
            String refused = String.format(Locale.ROOT, "repeated %.0f, over_budget %.0f, not_cached %.0f; resent %.0f",
                    scrape.value("p2pedge_media_nack_refused_total", "reason=\"repeated\""),
                    scrape.value("p2pedge_media_nack_refused_total", "reason=\"over_budget\""),
                    scrape.value("p2pedge_media_nack_refused_total", "reason=\"not_cached\""),
                    scrape.value("p2pedge_media_retransmitted_packets_total"));
            double streamKbps = during.bytes() * 8 / seconds / 1000;
            double bound = streamKbps * viewerCount + streamKbps * budget / 100.0;
            return new Run(streamKbps, calmEgress.kbps(), stormEgress.kbps(), bound, nacks.get(),
                    during.lossRatio(), refused);
        } finally {
            vertx.cancelTimer(storm);
            io.vertx.core.Future.join(viewers.stream().map(LoadViewer::close).toList()).await(20, TimeUnit.SECONDS);
        }
    }

    /** The edge's egress counter, and when it was read: the middle of the scrape, whose latency varies on a busy machine. */
    private record Egress(double bytes, long nanos) {
        Egress since(Egress earlier) {
            return new Egress(bytes - earlier.bytes, nanos - earlier.nanos);
        }

        double kbps() {
            return bytes * 8 / (nanos / 1e9) / 1000;
        }
    }

    private static Egress egress(int metricsPort) throws Exception {
        long before = System.nanoTime();
        double bytes = Scrape.of(metricsPort).value("p2pedge_media_egress_bytes_total");
        return new Egress(bytes, (before + System.nanoTime()) / 2);
    }


}
