package p2pedge.media.forwarding;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 join/leave cycles on one forwarding edge (offer, answer, release; sockets reconnecting along the way):
 * afterwards no session, viewer or timer is left, and threads, file descriptors and heap have not grown beyond
 * stated bounds. Bounded in count and in time.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class ForwardingChurnTest {

    private static final int CYCLES = 10_000;
    private static final int SOCKETS = 8;
    private static final long TIME_LIMIT_MS = 120_000;
    private static final int THREAD_GROWTH_BOUND = 10;
    private static final int FD_GROWTH_BOUND = 32;
    private static final long HEAP_GROWTH_BOUND_MB = 32;
    private static final int FULL_CYCLES = 1_000;
    /**
     * Resident memory outside the Java heap over FULL_CYCLES sessions: a leak of 48 kB per session or more fails.
     * Leak-free runs with MALLOC_ARENA_MAX=2 (set for test JVMs in pom.xml, as bin/p2p-edge and the Dockerfile set
     * it) stay well under it; bench/native-memory.sh shows 10,000 sessions with and without the arena bound.
     */
    private static final long NATIVE_GROWTH_BOUND_MB = 48;
    private static final String FINGERPRINT = String.join(":", java.util.Collections.nCopies(32, "AB"));

    static String answer(long id) {
        return String.join("\r\n", "v=0", "o=- " + id + " 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=ice-ufrag:u" + id, "a=ice-pwd:0123456789abcdefghijklmn",
                "a=fingerprint:sha-256 " + FINGERPRINT, "a=setup:active", "a=mid:0", "a=recvonly", "a=rtpmap:96 VP8/90000",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:1", "a=recvonly", "a=rtpmap:111 opus/48000/2", "");
    }

    @Test
    void tenThousandJoinLeaveCyclesLeaveNothingBehind(Vertx vertx) throws Exception {
        // The per-socket rate limit protects edges from floods; this test is one on purpose.
        JsonObject config = ForwardingPlaneTest.forwarder().put("signalling", new JsonObject()
                .put("messagesPerSecond", 100_000).put("messageBurst", 100_000));
        try (TestEdge edge = TestEdge.start(vertx, config)) {
            // Warm up, then take the baseline.
            cycles(vertx, edge, 200);
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long fds = openFileDescriptors();
            long heap = p2pedge.testing.NativeMemory.usedHeapMb();
            long started = System.currentTimeMillis();
            int done = cycles(vertx, edge, CYCLES);
            long seconds = (System.currentTimeMillis() - started) / 1000;
            assertEquals(CYCLES, done, "all cycles ran within " + TIME_LIMIT_MS + " ms");
            edge.awaitMediaConnections(0, 5_000);
            JsonObject stats = vertx.eventBus().<JsonObject>request(ForwardingMediaVerticle.FORWARDING_STATS, null)
                    .await(5, TimeUnit.SECONDS).body();
            assertEquals(0, stats.getInteger("viewers"), stats.encode());
            assertEquals(1, stats.getInteger("sessions"), "only the in-process publisher's session remains: " + stats.encode());
            int threadGrowth = ManagementFactory.getThreadMXBean().getThreadCount() - threads;
            long fdGrowth = openFileDescriptors() - fds;
            long heapGrowth = p2pedge.testing.NativeMemory.usedHeapMb() - heap;
            System.out.printf("forwarder churn: %d join/leave cycles in %d s; growth: threads %+d (bound %d), fds %+d (bound %d), "
                            + "heap %+d MB (bound %d)%n", done, seconds, threadGrowth, THREAD_GROWTH_BOUND, fdGrowth, FD_GROWTH_BOUND,
                    heapGrowth, HEAP_GROWTH_BOUND_MB);
            assertTrue(threadGrowth <= THREAD_GROWTH_BOUND, "threads grew by " + threadGrowth);
            assertTrue(fdGrowth <= FD_GROWTH_BOUND, "file descriptors grew by " + fdGrowth);
            assertTrue(heapGrowth <= HEAP_GROWTH_BOUND_MB, "heap grew by " + heapGrowth + " MB");
        }
    }

    /**
     * The full path, 1,000 times: a load viewer completes ICE, a DTLS handshake and SRTP with the edge, receives
     * media, and leaves; ten at a time. Native memory is what a DTLS/SRTP session could leak (Netty's
     * direct buffers, a crypto provider's native state), so besides threads, descriptors and heap the process's RSS is
     * bounded too.
     */
    @Test
    void aThousandFullHandshakeSessionsLeaveNoThreadsDescriptorsOrNativeMemoryBehind(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, ForwardingPlaneTest.forwarder());
             p2pedge.testing.LoadViewer.Crowd crowd = p2pedge.testing.LoadViewer.Crowd.create(vertx, 4, 0)) {
            List<String> failures = new ArrayList<>();
            handshakeCycles(vertx, edge, crowd, 200, failures); // warm-up: JIT, pools, caches
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long fds = openFileDescriptors();
            long heap = p2pedge.testing.NativeMemory.usedHeapMb();
            long nativeMb = p2pedge.testing.NativeMemory.outsideHeapMb();
            long started = System.currentTimeMillis();
            int done = handshakeCycles(vertx, edge, crowd, FULL_CYCLES, failures);
            long seconds = (System.currentTimeMillis() - started) / 1000;
            assertEquals(FULL_CYCLES, done, "all cycles ran within " + TIME_LIMIT_MS + " ms");
            edge.awaitMediaConnections(0, 10_000);
            JsonObject stats = ForwardingPlaneTest.stats(vertx);
            assertEquals(1, stats.getInteger("sessions"), "only the in-process publisher's session remains: " + stats.encode());
            Waits.until(() -> ManagementFactory.getThreadMXBean().getThreadCount() - threads <= THREAD_GROWTH_BOUND, 10_000,
                    "threads back within " + THREAD_GROWTH_BOUND + " of " + threads);
            long fdGrowth = openFileDescriptors() - fds;
            long heapGrowth = p2pedge.testing.NativeMemory.usedHeapMb() - heap;
            long nativeGrowth = p2pedge.testing.NativeMemory.outsideHeapMb() - nativeMb;
            System.out.printf("forwarder churn with DTLS: %d sessions (ICE, DTLS, SRTP media) in %d s; growth: threads %+d, "
                            + "fds %+d (bound %d), heap %+d MB (bound %d), RSS outside the heap %+d MB (bound %d)%n", done, seconds,
                    ManagementFactory.getThreadMXBean().getThreadCount() - threads, fdGrowth, FD_GROWTH_BOUND, heapGrowth,
                    HEAP_GROWTH_BOUND_MB, nativeGrowth, NATIVE_GROWTH_BOUND_MB);
            assertTrue(fdGrowth <= FD_GROWTH_BOUND, "file descriptors grew by " + fdGrowth);
            assertTrue(heapGrowth <= HEAP_GROWTH_BOUND_MB, "heap grew by " + heapGrowth + " MB");
            String arenas = "MALLOC_ARENA_MAX=" + System.getenv().getOrDefault("MALLOC_ARENA_MAX", "(unset: glibc's default, 8 arenas per core)")
                    + ", " + p2pedge.testing.NativeMemory.mallocArenas() + " malloc arena heaps";
            System.out.println("native memory: " + arenas);
            assertTrue(nativeGrowth <= NATIVE_GROWTH_BOUND_MB, "RSS outside the heap grew by " + nativeGrowth + " MB (" + arenas + ")");
            // Every session connects: handshakes no longer share Vert.x's worker pool with the media verticle.
            failures.forEach(f -> System.out.println("failed session: " + f));
            assertTrue(failures.isEmpty(), failures.size() + " of " + (done + 200) + " sessions failed: " + failures);
        }
    }

    /** Full sessions, {@code parallel} at a time: join (ICE + DTLS), take some media, leave. Returns sessions done. */
    private static int handshakeCycles(Vertx vertx, TestEdge edge, p2pedge.testing.LoadViewer.Crowd crowd, int count,
                                       List<String> failures) throws Exception {
        long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
        int done = 0;
        while (done < count && System.currentTimeMillis() < deadline) {
            List<io.vertx.core.Future<p2pedge.testing.LoadViewer>> joining = new ArrayList<>();
            for (int i = 0; i < 10 && done + i < count; i++) {
                joining.add(crowd.join(edge.port(), "/app/stream"));
            }
            List<p2pedge.testing.LoadViewer> joined = new ArrayList<>();
            for (io.vertx.core.Future<p2pedge.testing.LoadViewer> viewer : joining) {
                try {
                    joined.add(viewer.await(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failures.add("session " + (done + joined.size() + failures.size()) + ": " + e.getMessage()
                            + "; edge: " + ForwardingPlaneTest.stats(vertx).encode());
                }
            }
            Thread.sleep(50); // some media through each session's SRTP contexts
            io.vertx.core.Future.join(joined.stream().map(p2pedge.testing.LoadViewer::close).toList()).await(10, TimeUnit.SECONDS);
            done += joining.size();
        }
        return done;
    }

    /** Offer + answer on a few sockets; every 50th cycle a socket is closed and reopened. Returns cycles done. */
    private static int cycles(Vertx vertx, TestEdge edge, int count) throws Exception {
        long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
        List<SignallingClient> sockets = new ArrayList<>();
        for (int i = 0; i < SOCKETS; i++) {
            sockets.add(SignallingClient.connect(vertx, edge.port(), "/app/stream"));
        }
        int done = 0;
        try {
            for (; done < count && System.currentTimeMillis() < deadline; done++) {
                int slot = done % SOCKETS;
                if (done % 50 == 49) {
                    sockets.get(slot).close();
                    sockets.set(slot, SignallingClient.connect(vertx, edge.port(), "/app/stream"));
                }
                SignallingClient socket = sockets.get(slot);
                long id = socket.requestOffer().getLong("id"); // replaces this socket's previous viewer
                socket.send(new JsonObject().put("command", "answer").put("id", id).put("peer_id", 0)
                        .put("sdp", new JsonObject().put("type", "answer").put("sdp", answer(id))));
            }
            for (SignallingClient socket : sockets) {
                socket.roundTrip(); // every answer handled
            }
        } finally {
            sockets.forEach(SignallingClient::close);
        }
        return done;
    }

    private static long openFileDescriptors() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
