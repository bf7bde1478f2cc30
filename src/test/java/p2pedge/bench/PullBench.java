package p2pedge.bench;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.WhipPublisher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What a pull between edges costs. Three edge processes (the jar, clustered over Hazelcast on loopback, P2P off so every
 * viewer is edge-served); a webrtc-java publisher sends the numbered test pattern with WHIP to edge A.
 * <ol>
 *   <li>Join time: a viewer that starts a pull on edge B (cold) against one that joins a running pull (warm),
 *       both from the request for an offer to the first SRTP packet; repeated, letting the pull close in between
 *       (pull.idleSeconds).</li>
 *   <li>CPU of the three edges (from /proc, over the same window) with the publisher alone; with VIEWERS viewers on
 *       A itself; and with VIEWERS on B and VIEWERS on C, which A serves through two pulls. Each step has one
 *       webrtc-java decoder among the viewers for frame rate and glass-to-glass latency.</li>
 * </ol>
 * Environment: VIEWERS (default 100), COLD_JOINS (5), WARMUP_S (5), MEASURE_S (15).
 */
public final class PullBench {

    private static final String STREAM = "live/bench";
    private static final int IDLE_SECONDS = 2;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int viewers = BenchEnv.integer("VIEWERS", 100);
        int coldJoins = BenchEnv.integer("COLD_JOINS", 5);
        int warmup = BenchEnv.integer("WARMUP_S", 5);
        int measure = BenchEnv.integer("MEASURE_S", 15);
        String cluster = "pull-bench-" + UUID.randomUUID();
        System.out.printf(Locale.ROOT, "machine: %d cores; 3 clustered edge processes on loopback (P2P off); a webrtc-java "
                + "WHIP publisher (VP8 320x180@30, test pattern) on edge A; viewers: load viewers (ICE, DTLS-SRTP, every "
                + "packet authenticated and counted) plus one webrtc-java decoder per step%n", Runtime.getRuntime().availableProcessors());
        System.out.println("edge CPU: process CPU time / wall time from /proc/PID/stat over the same window (100% = one core)");
        List<EdgeProcess> edges = new ArrayList<>();
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(8));
        HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory = new PeerConnectionFactory(audio);
        try (LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 4, 600)) {
            for (int i = 0; i < 3; i++) {
                edges.add(EdgeProcess.start(jar, Map.of("cluster.enabled", "true", "cluster.name", cluster,
                        "cluster.port", "5821", "cluster.members", "127.0.0.1:5821,127.0.0.1:5822,127.0.0.1:5823",
                        "p2p.enabled", "false", "media.forwarder.port", "0", "media.maxViewers", "2000",
                        "pull.idleSeconds", Integer.toString(IDLE_SECONDS), "whip.openApps", "live", "streams", "[]"),
                        Path.of("target/bench-pull-edge" + "ABC".charAt(i) + ".log")));
            }
            EdgeProcess a = edges.get(0);
            EdgeProcess b = edges.get(1);
            EdgeProcess c = edges.get(2);
            // Enough frames for the whole run, bounded: 10 minutes at 30 fps.
            try (WhipPublisher publisher = new WhipPublisher(factory, a.port()).publish(STREAM, null, 18_000)) {
                Thread.sleep(warmup * 1000L);
                joinTimes(crowd, b, coldJoins);

                System.out.printf(Locale.ROOT, "%n%-34s %8s %8s %8s %14s %9s %8s %12s%n", "step (viewers on A / B / C)",
                        "A CPU%", "B CPU%", "C CPU%", "kbit/s min/avg", "loss max", "fps", "g2g p50/p95");
                double[] idle = EdgeProcess.cpuPercent(measure, edges);
                System.out.printf(Locale.ROOT, "%-34s %8.1f %8.1f %8.1f%n", "publisher only (0 / 0 / 0)", idle[0], idle[1], idle[2]);
                double[] direct = step("direct (" + viewers + " / 0 / 0)", vertx, crowd, factory, publisher, edges,
                        new int[]{viewers, 0, 0}, a, warmup, measure);
                double[] pulled = step("pulled (0 / " + viewers + " / " + viewers + ")", vertx, crowd, factory, publisher,
                        edges, new int[]{0, viewers, viewers}, c, warmup, measure);

                System.out.println();
                System.out.printf(Locale.ROOT, "edge A serving %d viewers itself: +%.1f%% of a core over the publisher alone "
                        + "(%.2f%% per viewer)%n", viewers, direct[0] - idle[0], (direct[0] - idle[0]) / viewers);
                System.out.printf(Locale.ROOT, "edge A serving %d viewers on B and C through 2 pulls: %+.1f%% of a core over the "
                                + "publisher alone (a pull is one viewer session there; one CPU tick in this window is %.2f%%); "
                                + "B and C each +%.1f%% for their pull and %d viewers%n", 2 * viewers, pulled[0] - idle[0],
                        100.0 / 100 / measure, ((pulled[1] - idle[1]) + (pulled[2] - idle[2])) / 2, viewers);
            }
        } finally {
            for (EdgeProcess edge : edges) {
                edge.close();
            }
            factory.dispose();
            audio.dispose();
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Cold joins (the viewer starts edge B's pull) against warm ones (the pull runs), to the first SRTP packet. */
    private static void joinTimes(LoadViewer.Crowd crowd, EdgeProcess edge, int rounds) throws Exception {
        double[] cold = new double[rounds];
        double[] warm = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            LoadViewer first = crowd.join(edge.port(), "/" + STREAM).await(30, TimeUnit.SECONDS);
            cold[i] = untilFirstPacket(first, start);
            // Apart from the first by more than libwebrtc's 300 ms between keyframes, so both get one on request.
            Thread.sleep(1_000);
            start = System.nanoTime();
            LoadViewer second = crowd.join(edge.port(), "/" + STREAM).await(30, TimeUnit.SECONDS);
            warm[i] = untilFirstPacket(second, start);
            Future.join(first.close(), second.close()).await(10, TimeUnit.SECONDS);
            // The pull closes once nobody has watched for pull.idleSeconds (checked every second).
            Thread.sleep((IDLE_SECONDS + 2) * 1000L);
        }
        Arrays.sort(cold);
        Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "join on edge B, request_offer -> first SRTP packet, %d rounds: starting the pull "
                        + "(cold) p50 %.0f ms, max %.0f ms; joining a running pull (warm) p50 %.0f ms, max %.0f ms%n", rounds,
                cold[rounds / 2], cold[rounds - 1], warm[rounds / 2], warm[rounds - 1]);
    }

    private static double untilFirstPacket(LoadViewer viewer, long startNanos) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (viewer.counts().await(5, TimeUnit.SECONDS).packets() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no packet within 10 s of joining");
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - startNanos) / 1e6;
    }

    /** Attaches the viewers, measures, detaches them; returns the three edges' CPU. */
    private static double[] step(String name, Vertx vertx, LoadViewer.Crowd crowd, PeerConnectionFactory factory,
                                 WhipPublisher publisher, List<EdgeProcess> edges, int[] perEdge, EdgeProcess decoderEdge,
                                 int warmup, int measure) throws Exception {
        List<LoadViewer> loads = new ArrayList<>();
        try (JavaViewer decoder = new JavaViewer(factory, SignallingClient.connect(vertx, decoderEdge.port(), "/" + STREAM))) {
            for (int e = 0; e < edges.size(); e++) {
                int target = perEdge[e] - (edges.get(e) == decoderEdge ? 1 : 0);
                for (int joined = 0; joined < target; ) {
                    List<Future<LoadViewer>> batch = new ArrayList<>();
                    for (int i = 0; i < 20 && joined + i < target; i++) {
                        batch.add(crowd.join(edges.get(e).port(), "/" + STREAM));
                    }
                    for (Future<LoadViewer> joining : batch) {
                        loads.add(joining.await(60, TimeUnit.SECONDS));
                    }
                    joined += batch.size();
                }
            }
            decoder.awaitConnected(30_000);
            Thread.sleep(warmup * 1000L);
            List<LoadViewer.Counts> before = LoadWindow.snapshot(loads);
            long frames = decoder.frames();
            long start = System.nanoTime();
            double[] cpu = EdgeProcess.cpuPercent(measure, edges);
            double seconds = (System.nanoTime() - start) / 1e9;
            LoadWindow received = LoadWindow.between(before, LoadWindow.snapshot(loads));
            double fps = (decoder.frames() - frames) / seconds;
            double[] latency = publisher.latenciesMillis(decoder);
            System.out.printf(Locale.ROOT, "%-34s %8.1f %8.1f %8.1f %6.0f / %5.0f %8.2f%% %8.1f %5.0f / %3.0f ms%n", name,
                    cpu[0], cpu[1], cpu[2], received.kbpsMin(), received.kbpsAvg(), 100 * received.lossMax(), fps,
                    latency.length == 0 ? Double.NaN : latency[latency.length / 2],
                    latency.length == 0 ? Double.NaN : latency[(int) (latency.length * 0.95)]);
            return cpu;
        } finally {
            Future.join(loads.stream().map(LoadViewer::close).toList()).await(30, TimeUnit.SECONDS);
        }
    }

}
