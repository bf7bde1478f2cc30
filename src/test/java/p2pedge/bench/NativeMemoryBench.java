package p2pedge.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import p2pedge.Edge;
import p2pedge.config.ConfigLoader;
import p2pedge.config.EdgeConfig;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.NativeMemory;
import p2pedge.testing.TestEdge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Does native memory grow with DTLS-SRTP sessions (a leak) or level off (allocator retention)? One forwarding
 * edge and load viewers in this JVM, as in ForwardingChurnTest: full sessions (ICE, DTLS, SRTP media, leave),
 * PARALLEL at a time, SESSIONS in all; every EVERY sessions it prints resident memory outside the Java heap,
 * its growth since the warm-up, the heap in use and its resident pages, the old measure (RSS minus committed heap),
 * the heaps of glibc's malloc arenas and the thread count. At the end: the
 * growth per 1,000 sessions over the first and the second half (a leak keeps its slope, a plateau loses it).
 * Run it with and without MALLOC_ARENA_MAX (bench/native-memory.sh does both).
 * With IDLE_S, it first sits that many seconds with no session at all (growth that comes with time, not sessions).
 * Run with -XX:NativeMemoryTracking=summary (JAVA_OPTS in bench/native-memory.sh) to see which JVM areas grew.
 * Environment: SESSIONS (10000), EVERY (500), PARALLEL (10), IDLE_S (0).
 */
public final class NativeMemoryBench {

    public static void main(String[] args) throws Exception {
        int sessions = Integer.parseInt(System.getenv().getOrDefault("SESSIONS", "10000"));
        int every = Integer.parseInt(System.getenv().getOrDefault("EVERY", "500"));
        int parallel = Integer.parseInt(System.getenv().getOrDefault("PARALLEL", "10"));
        int idleSeconds = Integer.parseInt(System.getenv().getOrDefault("IDLE_S", "0"));
        Vertx vertx = Vertx.vertx();
        JsonObject forwarder = new JsonObject().put("media", new JsonObject().put("plane", "forwarder").put("forwarder", new JsonObject().put("port", 0)));
        // Started here rather than through TestEdge: on a loaded machine start-up can take longer than its 30 s.
        EdgeConfig config = ConfigLoader.load(vertx, null, TestEdge.loopbackConfig().mergeIn(forwarder, true)).await(60, TimeUnit.SECONDS);
        Edge edge = Edge.start(vertx, config).await(180, TimeUnit.SECONDS);
        try (LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 4, 0)) {
            int port = edge.signallingPort();
            int failed = run(port, crowd, 200, parallel); // warm-up: JIT, pools, caches
            long base = NativeMemory.outsideHeapMb();
            boolean tracking = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(arg -> arg.startsWith("-XX:NativeMemoryTracking="));
            if (tracking) {
                NativeMemory.nativeMemoryTracking("baseline");
            }
            System.out.printf("MALLOC_ARENA_MAX=%s; after a 200-session warm-up: RSS outside the heap %d MB, %d malloc arena heaps%n",
                    System.getenv().getOrDefault("MALLOC_ARENA_MAX", "(unset)"), base, NativeMemory.mallocArenas());
            if (idleSeconds > 0) {
                // The same time with no sessions at all: growth here comes with time (the demo publisher's libwebrtc
                // encodes all along), not with sessions.
                Thread.sleep(idleSeconds * 1000L);
                long idle = NativeMemory.outsideHeapMb();
                System.out.printf("idle for %d s, no sessions: RSS outside the heap %+d MB%n", idleSeconds, idle - base);
                base = idle;
            }
            System.out.println("sessions  outsideHeapMB  growthMB  heapUsedMB  heapResidentMB  rss-committedHeapMB  arenaHeaps  threads  failed");
            List<long[]> points = new ArrayList<>();
            points.add(new long[]{0, 0});
            long started = System.nanoTime();
            for (int done = 0; done < sessions; ) {
                int step = Math.min(every, sessions - done);
                failed += run(port, crowd, step, parallel);
                done += step;
                long outside = NativeMemory.outsideHeapMb();
                points.add(new long[]{done, outside - base});
                System.out.printf("%8d  %13d  %+8d  %10d  %14d  %19d  %10d  %7d  %6d%n", done, outside, outside - base,
                        NativeMemory.usedHeapMb(), NativeMemory.heapResidentKb() >> 10, NativeMemory.rssMinusCommittedHeapMb(),
                        NativeMemory.mallocArenas(), Thread.activeCount(), failed);
            }
            if (tracking) {
                System.out.println("JVM native memory since the warm-up (NMT summary.diff; committed):");
                System.out.println(NativeMemory.nativeMemoryTracking("summary.diff"));
            }
            int half = points.size() / 2;
            System.out.printf("%d sessions in %d s; growth per 1,000 sessions: first half %.2f MB, second half %.2f MB%n",
                    sessions, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                    slope(points.subList(0, half + 1)), slope(points.subList(half, points.size())));
        } finally {
            edge.stop().await(60, TimeUnit.SECONDS);
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Full sessions, {@code parallel} at a time: join, take some media, leave. Returns how many failed. */
    private static int run(int port, LoadViewer.Crowd crowd, int count, int parallel) throws Exception {
        int failed = 0;
        for (int done = 0; done < count; done += parallel) {
            List<Future<LoadViewer>> joining = new ArrayList<>();
            for (int i = 0; i < parallel && done + i < count; i++) {
                joining.add(crowd.join(port, "/app/stream"));
            }
            List<LoadViewer> joined = new ArrayList<>();
            for (Future<LoadViewer> viewer : joining) {
                try {
                    joined.add(viewer.await(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failed++;
                }
            }
            Thread.sleep(50); // some media through each session's SRTP contexts
            Future.join(joined.stream().map(LoadViewer::close).toList()).await(10, TimeUnit.SECONDS);
        }
        return failed;
    }

    /** Least-squares slope of growth (MB) against sessions, per 1,000 sessions. */
    private static double slope(List<long[]> points) {
        double n = points.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (long[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += (double) p[0] * p[0];
            sxy += (double) p[0] * p[1];
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator * 1000;
    }
}
