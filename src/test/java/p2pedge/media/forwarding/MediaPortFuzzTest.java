package p2pedge.media.forwarding;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.rtc.StunMessage;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad datagrams against the running forwarding edge's shared media port, bounded in count and time: random
 * bytes, STUN with unknown credentials, mutated STUN, and DTLS/RTP/RTCP garbage, both from addresses that
 * never passed ICE and from one that did (a session that answered with a certificate it will never show).
 * Every datagram from a stranger is dropped and counted; the session's garbage is refused and counted; the edge
 * keeps serving a real viewer without loss and has not grown threads.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class MediaPortFuzzTest {

    private static final int PER_KIND = 2_000;
    private static final long TIME_LIMIT_MS = 30_000;
    private static final Pattern PORT = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host");
    private static final String FINGERPRINT = String.join(":", Collections.nCopies(32, "AB"));

    @Test
    void malformedAndUnexpectedDatagramsAreDroppedAndCountedAndTheEdgeKeepsServing(Vertx vertx) throws Exception {
        Random random = new Random(20261125);
        long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
        try (TestEdge edge = TestEdge.start(vertx, ForwardingPlaneTest.forwarder());
             SignallingClient signalling = SignallingClient.connect(vertx, edge.port(), "/app/stream");
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket session = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // A session whose ICE succeeds but whose DTLS never can: its answer names a certificate nobody holds.
            JsonObject offer = signalling.requestOffer();
            String sdp = offer.getJsonObject("sdp").getString("sdp");
            Matcher port = PORT.matcher(sdp);
            assertTrue(port.find(), sdp);
            InetSocketAddress media = new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1)));
            String edgeUfrag = attribute(sdp, "ice-ufrag");
            String edgePassword = attribute(sdp, "ice-pwd");
            signalling.send(new JsonObject().put("command", "answer").put("id", offer.getLong("id")).put("peer_id", 0)
                    .put("sdp", new JsonObject().put("type", "answer").put("sdp", answer())));
            byte[] check = bindingRequest(edgeUfrag, edgePassword, random);
            assertTrue(passesIce(session, media, check), "the session passes ICE");

            JsonObject before = stats(vertx);
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            int fromStranger = 0;
            for (int i = 0; i < PER_KIND && System.currentTimeMillis() < deadline; i++) {
                fromStranger += send(stranger, media, randomBytes(random, 1 + random.nextInt(1400)));
                fromStranger += send(stranger, media, bindingRequest("nobody" + i, "x".repeat(22), random));
                fromStranger += send(stranger, media, mutate(check, random));
                fromStranger += send(stranger, media, withFirstByte(random, 20 + random.nextInt(44)));   // DTLS range
                fromStranger += send(stranger, media, withFirstByte(random, 128 + random.nextInt(64)));  // RTP/RTCP range
                if (i % 2 == 0) {
                    Thread.sleep(1); // paced, so the kernel's socket buffer does not drop what the edge should count
                }
            }
            int fromSession = 0;
            for (int i = 0; i < PER_KIND && System.currentTimeMillis() < deadline; i++) {
                fromSession += send(session, media, withFirstByte(random, 128 + random.nextInt(64)));
                if (i % 10 == 0) {
                    Thread.sleep(1);
                }
            }
            for (int i = 0; i < 200; i++) {
                send(session, media, withFirstByte(random, 20 + random.nextInt(44)));
            }
            int strangers = fromStranger;
            int sessions = fromSession;
            long countBy = System.currentTimeMillis() + 10_000;
            JsonObject after = stats(vertx);
            while (dropped(after) - dropped(before) < 0.99 * (strangers + sessions) && System.currentTimeMillis() < countBy) {
                Thread.sleep(100);
                after = stats(vertx);
            }
            assertTrue(dropped(after) - dropped(before) >= 0.99 * (strangers + sessions), "sent " + strangers + " + "
                    + sessions + ", counted " + (dropped(after) - dropped(before)) + ": " + after.encode());
            System.out.printf("fuzzed the media port with %d datagrams from a stranger and %d from a session: dropped %s%n",
                    strangers, sessions, after.getJsonObject("dropped").encode());
            JsonObject counted = after.getJsonObject("dropped");
            for (String reason : List.of("not STUN, DTLS or RTP", "stun: unknown_ufrag", "dtls: unknown address",
                    "media: unknown address", "media: before DTLS")) {
                assertTrue(counted.getLong(reason, 0L) > 0, "counted as '" + reason + "': " + counted.encode());
            }
            assertTrue(counted.fieldNames().stream().anyMatch(r -> r.startsWith("stun: bad") || r.startsWith("stun: malformed")),
                    "mutated checks are refused: " + counted.encode());

            // The edge still serves, the fuzzing session ends cleanly, and nothing kept a thread.
            signalling.close();
            serveOneViewer(vertx, edge);
            Waits.until(() -> stats(vertx).getInteger("viewers") == 0, 10_000, "every viewer released");
            Waits.until(() -> ManagementFactory.getThreadMXBean().getThreadCount() <= threads + 8, 15_000,
                    "threads back near " + threads);
            assertEquals(1, stats(vertx).getInteger("sessions"), "only the demo publisher's session is left");
        }
    }

    /** Checks until answered, as ICE does (the edge may not have taken the answer yet). */
    private static boolean passesIce(DatagramSocket socket, InetSocketAddress media, byte[] check) throws Exception {
        socket.setSoTimeout(100);
        for (int attempt = 0; attempt < 50; attempt++) {
            socket.send(new DatagramPacket(check, check.length, media));
            DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
            try {
                socket.receive(response);
                return StunMessage.parse(response.getData(), response.getLength()).type() == StunMessage.BINDING_SUCCESS;
            } catch (java.net.SocketTimeoutException e) {
                // not yet
            }
        }
        return false;
    }

    private static void serveOneViewer(Vertx vertx, TestEdge edge) throws Exception {
        try (LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 2, 0)) {
            LoadViewer viewer = crowd.join(edge.port(), "/app/stream").await(20, TimeUnit.SECONDS);
            try {
                Thread.sleep(1_000);
                LoadViewer.Counts first = viewer.counts().await(5, TimeUnit.SECONDS);
                Thread.sleep(2_000);
                LoadViewer.Counts window = viewer.counts().await(5, TimeUnit.SECONDS).minus(first);
                assertTrue(window.packets() > 150, "a viewer still receives media: " + window);
                assertEquals(0, window.refused(), window.toString());
                assertTrue(window.lossRatio() < 0.01, window.toString());
            } finally {
                viewer.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    private static JsonObject stats(Vertx vertx) throws Exception {
        return vertx.eventBus().<JsonObject>request(ForwardingMediaVerticle.FORWARDING_STATS, null)
                .await(5, TimeUnit.SECONDS).body();
    }

    private static long dropped(JsonObject stats) {
        return stats.getJsonObject("dropped").getMap().values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
    }

    private static int send(DatagramSocket socket, InetSocketAddress to, byte[] data) throws Exception {
        socket.send(new DatagramPacket(data, data.length, to));
        return 1;
    }

    private static String answer() {
        return String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=ice-ufrag:fuzz", "a=ice-pwd:0123456789abcdefghijklmn",
                "a=fingerprint:sha-256 " + FINGERPRINT, "a=setup:active", "a=mid:0", "a=recvonly", "a=rtpmap:96 VP8/90000",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:1", "a=recvonly", "a=rtpmap:111 opus/48000/2", "");
    }

    private static byte[] bindingRequest(String edgeUfrag, String edgePassword, Random random) {
        byte[] transaction = new byte[12];
        random.nextBytes(transaction);
        return StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, edgeUfrag + ":fuzz")
                .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .build(edgePassword.getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * The valid check with one byte between the magic cookie and the FINGERPRINT changed: integrity or fingerprint
     * must catch it. (Changing the trailing FINGERPRINT itself can leave an authentic message: MESSAGE-INTEGRITY
     * does not cover it, and without it the check is valid STUN, a replay that ICE accepts by design.)
     */
    private static byte[] mutate(byte[] valid, Random random) {
        byte[] copy = valid.clone();
        int at = 8 + random.nextInt(copy.length - 8 - 8);
        copy[at] ^= (byte) (1 + random.nextInt(255));
        return copy;
    }

    private static byte[] withFirstByte(Random random, int first) {
        byte[] data = randomBytes(random, 12 + random.nextInt(300));
        data[0] = (byte) first;
        return data;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    private static String attribute(String sdp, String name) {
        Matcher m = Pattern.compile("a=" + name + ":(\\S+)").matcher(sdp);
        assertTrue(m.find(), "offer has " + name);
        return m.group(1);
    }
}
