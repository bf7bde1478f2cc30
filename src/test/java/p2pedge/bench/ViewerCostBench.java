package p2pedge.bench;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.vertx.core.Vertx;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.SignallingClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Edge cost per viewer on the per-viewer webrtc-java media path: starts the edge jar as a child process,
 * attaches N webrtc-java viewers (decoding in this process), and reads the edge's CPU time and RSS from /proc.
 * Usage: ViewerCostBench JAR [N ...] (default 1 5 10 20); WARMUP_S and MEASURE_S tune the windows.
 */
public final class ViewerCostBench {

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        List<Integer> counts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            counts.add(Integer.parseInt(args[i]));
        }
        if (counts.isEmpty()) {
            counts = List.of(1, 5, 10, 20);
        }
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP_S", "5"));
        int measure = Integer.parseInt(System.getenv().getOrDefault("MEASURE_S", "10"));
        EdgeProcess edge = EdgeProcess.start(jar, java.util.Map.of("media.maxViewers", "1000"), Path.of("target/bench-edge.log"));
        int port = edge.port();
        Vertx vertx = Vertx.vertx();
        HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory = new PeerConnectionFactory(audio);
        try {
            System.out.printf(Locale.ROOT, "edge pid %d, demo stream app/stream; warmup %d s, measured over %d s; "
                    + "CPU%% = edge process CPU time / wall time (100%% = one core), RSS from /proc/PID/status%n",
                    edge.pid(), warmup, measure);
            System.out.printf(Locale.ROOT, "%8s %10s %14s %10s %14s %16s%n",
                    "viewers", "edge CPU%", "CPU%/viewer", "RSS MB", "RSS MB/viewer*", "fps/viewer(min)");
            long idleRss = edge.rssKb();
            double idleCpu = edge.cpuPercent(measure);
            System.out.printf(Locale.ROOT, "%8d %10.1f %14s %10.1f %14s %16s%n", 0, idleCpu, "-", idleRss / 1024.0, "-", "-");
            List<JavaViewer> viewers = new ArrayList<>();
            for (int n : counts) {
                while (viewers.size() < n) {
                    JavaViewer viewer = new JavaViewer(factory, SignallingClient.connect(vertx, port, "/app/stream"));
                    viewers.add(viewer);
                }
                for (JavaViewer viewer : viewers) {
                    viewer.awaitConnected(20_000);
                }
                Thread.sleep(warmup * 1000L);
                long[] framesBefore = viewers.stream().mapToLong(JavaViewer::frames).toArray();
                long start = System.nanoTime();
                double cpu = edge.cpuPercent(measure);
                double seconds = (System.nanoTime() - start) / 1e9;
                double minFps = Double.MAX_VALUE;
                for (int i = 0; i < viewers.size(); i++) {
                    minFps = Math.min(minFps, (viewers.get(i).frames() - framesBefore[i]) / seconds);
                }
                long rss = edge.rssKb();
                System.out.printf(Locale.ROOT, "%8d %10.1f %14.2f %10.1f %14.2f %16.1f%n", n, cpu, (cpu - idleCpu) / n,
                        rss / 1024.0, (rss - idleRss) / 1024.0 / n, minFps);
            }
            System.out.println("* RSS growth over the idle edge, divided by the viewer count");
            viewers.forEach(JavaViewer::close);
        } finally {
            edge.close();
            factory.dispose();
            audio.dispose();
            vertx.close().await();
        }
    }
}
