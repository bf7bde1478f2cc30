package p2pedge.media.forwarding;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.DtlsSrtpClient;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.StunMessage;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one outsider can do to the forwarding edge's shared UDP port, reproduced on loopback and bounded in count
 * and time: pin the DTLS handshakes with fragments from many ports of one session, aim a viewer's media at another
 * address with one valid check, keep receiving after consent lapsed, and use the port as a STUN reflector or a
 * password oracle.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class MediaPortAttackTest {

    private static final Pattern PORT = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host");
    private static final String FINGERPRINT = String.join(":", Collections.nCopies(32, "AB"));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int STORM_PORTS = 40;
    private static final int STORM_ROUNDS = 12;

    @Test
    void aDtlsFragmentStormFromFortyPortsOfOneSessionLeavesTheEdgeServing(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, edgeConfig());
             LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 2, 0);
             SignallingClient signalling = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
            LoadViewer existing = crowd.join(edge.port(), "/app/stream").await(20, TimeUnit.SECONDS);
            Thread.sleep(1_000); // the first keyframe
            long quietStarted = System.nanoTime();
            Scrape.of(edge.metricsPort()); // warm: the first scrape builds what later ones reuse
            long quietScrapeMillis = (System.nanoTime() - quietStarted) / 1_000_000;
            Session attacker = Session.open(signalling);
            List<DatagramSocket> sockets = new ArrayList<>();
            AtomicBoolean storming = new AtomicBoolean(true);
            AtomicInteger fragments = new AtomicInteger();
            Thread storm = null;
            try {
                for (int i = 0; i < STORM_PORTS; i++) {
                    DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    sockets.add(socket);
                    assertTrue(attacker.passIce(socket), "port " + i + " passes ICE");
                }
                LoadViewer.Counts before = existing.counts().await(5, TimeUnit.SECONDS);
                storm = new Thread(() -> {
                    for (int round = 0; round < STORM_ROUNDS && storming.get(); round++) {
                        for (DatagramSocket socket : sockets) {
                            try {
                                attacker.check(socket); // stay fresh (and nominated) on every port
                                byte[] fragment = clientHelloFragment();
                                socket.send(new DatagramPacket(fragment, fragment.length, attacker.media));
                                fragments.incrementAndGet();
                            } catch (Exception e) {
                                return;
                            }
                        }
                        sleep(1_000);
                    }
                }, "dtls-storm");
                storm.start();
                Thread.sleep(1_500); // the storm has had its effect on the handshake threads by now

                long scrapeStarted = System.nanoTime();
                String scrape;
                try {
                    scrape = Scrape.of(edge.metricsPort()).has("p2pedge_") ? "answered" : "answered without samples";
                } catch (Exception e) {
                    scrape = "failed: " + e;
                }
                long scrapeMillis = (System.nanoTime() - scrapeStarted) / 1_000_000;

                long joinStarted = System.nanoTime();
                long firstMediaMillis = -1;
                String joinFailure = null;
                LoadViewer newcomer = null;
                try {
                    newcomer = crowd.join(edge.port(), "/app/stream").await(15, TimeUnit.SECONDS);
                    while ((System.nanoTime() - joinStarted) < 5_000_000_000L) {
                        if (newcomer.counts().await(5, TimeUnit.SECONDS).packets() > 0) {
                            firstMediaMillis = (System.nanoTime() - joinStarted) / 1_000_000;
                            break;
                        }
                        Thread.sleep(10);
                    }
                } catch (Exception e) {
                    joinFailure = e.toString();
                } finally {
                    if (newcomer != null) {
                        newcomer.close().await(10, TimeUnit.SECONDS);
                    }
                }
                storm.join(20_000);
                LoadViewer.Counts window = existing.counts().await(5, TimeUnit.SECONDS).minus(before);
                String dropped;
                try {
                    dropped = ForwardingPlaneTest.stats(vertx).getJsonObject("dropped").encode();
                } catch (Exception e) {
                    dropped = "unknown (the media plane did not answer: " + e + ")";
                }
                System.out.printf("DTLS fragment storm (%d ports of one session, %d fragments): /metrics %s in %d ms (%d ms before the "
                                + "storm, first scrape), a new player's first media after %d ms%s, the existing viewer %s (loss %.2f %%); "
                                + "dropped %s%n",
                        STORM_PORTS, fragments.get(), scrape, scrapeMillis, quietScrapeMillis, firstMediaMillis,
                        joinFailure == null ? "" : " (" + joinFailure + ")", window, 100 * window.lossRatio(),
                        dropped);
                assertTrue(scrape.startsWith("answered") && scrapeMillis < 2_000, "/metrics " + scrape + " in " + scrapeMillis + " ms");
                assertTrue(joinFailure == null && firstMediaMillis >= 0 && firstMediaMillis <= 2_000,
                        "a new player gets media within 2 s during the storm: " + firstMediaMillis + " ms, " + joinFailure);
                assertTrue(window.packets() > 500, "the existing viewer keeps receiving: " + window);
                assertTrue(window.lossRatio() <= 0.01, "the existing viewer loses at most 1 %: " + window);
                assertTrue(fragments.get() >= STORM_PORTS * (STORM_ROUNDS - 1), "the storm ran: " + fragments.get() + " fragments");
            } finally {
                storming.set(false);
                if (storm != null) {
                    storm.join(20_000);
                }
                sockets.forEach(DatagramSocket::close);
                existing.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A viewer (it holds the session's credentials and certificate) passes ICE and runs DTLS from its own address, and
     * halfway through the handshake sends one valid, nominating check from a second address (a victim's, spoofed):
     * media must go only to the address the handshake completed on.
     */
    @Test
    void aValidCheckFromASecondAddressDoesNotRedirectTheViewersMedia(Vertx vertx) throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        DtlsCertificate certificate = DtlsCertificate.generate(crypto);
        try (TestEdge edge = TestEdge.start(vertx, edgeConfig());
             SignallingClient signalling = SignallingClient.connect(vertx, edge.port(), "/app/stream");
             DatagramSocket viewer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket victim = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            Session session = Session.open(signalling, certificate.fingerprint());
            assertTrue(session.passIce(viewer), "the viewer passes ICE");
            AtomicBoolean victimChecked = new AtomicBoolean();
            SocketTransport transport = new SocketTransport(viewer, session.media, flight -> {
                // The viewer's second flight (it opens with its Certificate): first the victim's check.
                if (flight[0] == 22 && flight.length > 13 && flight[13] == 11 && victimChecked.compareAndSet(false, true)) {
                    try {
                        assertTrue(session.passIce(victim), "the check from the second address is valid and answered");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            new DTLSClientProtocol().connect(new DtlsSrtpClient(crypto, certificate, session.fingerprint, keys -> { }), transport);
            assertTrue(victimChecked.get(), "the second address checked during the handshake");
            int toViewer = countMedia(viewer, 3_000);
            int toVictim = countMedia(victim, 500);
            System.out.printf("a valid check from a second address during DTLS: media datagrams in the next seconds: %d to the "
                    + "viewer, %d to the second address; dropped %s%n", toViewer, toVictim,
                    ForwardingPlaneTest.stats(vertx).getJsonObject("dropped").encode());
            assertEquals(0, toVictim, "the second address receives no media");
            assertTrue(toViewer > 100, "the viewer receives the media: " + toViewer);
        }
    }

    /** RTP/RTCP datagrams a socket receives within {@code millis}. */
    private static int countMedia(DatagramSocket socket, long millis) throws Exception {
        int media = 0;
        long until = System.currentTimeMillis() + millis;
        socket.setSoTimeout(50);
        while (System.currentTimeMillis() < until) {
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            try {
                socket.receive(packet);
                PacketKind kind = PacketKind.of(packet.getData(), packet.getLength());
                if (kind == PacketKind.RTP || kind == PacketKind.RTCP) {
                    media++;
                }
            } catch (SocketTimeoutException e) {
                // nothing
            }
        }
        return media;
    }

    /** DTLS over a plain socket, with a look at each datagram before it leaves. */
    private record SocketTransport(DatagramSocket socket, InetSocketAddress edge, java.util.function.Consumer<byte[]> beforeSend)
            implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return 1200;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws java.io.IOException {
            long deadline = System.currentTimeMillis() + waitMillis;
            while (System.currentTimeMillis() < deadline) {
                socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                if (PacketKind.of(packet.getData(), packet.getLength()) == PacketKind.DTLS) {
                    int n = Math.min(len, packet.getLength());
                    System.arraycopy(packet.getData(), 0, buf, off, n);
                    return n;
                }
            }
            return -1;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws java.io.IOException {
            byte[] datagram = java.util.Arrays.copyOfRange(buf, off, off + len);
            beforeSend.accept(datagram);
            socket.send(new DatagramPacket(datagram, datagram.length, edge));
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aViewerThatStopsConsentingStopsReceivingWithinTheConsentTimeout(Vertx vertx) throws Exception {
        int timeoutSeconds = 3;
        JsonObject config = edgeConfig();
        config.getJsonObject("media").getJsonObject("forwarder").put("consentTimeoutSeconds", timeoutSeconds);
        try (TestEdge edge = TestEdge.start(vertx, config);
             LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 2, 0)) {
            LoadViewer consenting = crowd.join(edge.port(), "/app/stream").await(20, TimeUnit.SECONDS);
            LoadViewer silent = crowd.join(edge.port(), "/app/stream").await(20, TimeUnit.SECONDS);
            try {
                silent.stopConsent();
                long stopped = System.nanoTime();
                long bound = (timeoutSeconds * 1000L) + 2_500; // the timeout, a sweep and a margin
                LoadViewer.Counts last = silent.counts().await(5, TimeUnit.SECONDS);
                long quietSince = -1;
                while ((System.nanoTime() - stopped) / 1_000_000 < bound + 2_000) {
                    Thread.sleep(250);
                    LoadViewer.Counts now = silent.counts().await(5, TimeUnit.SECONDS);
                    if (now.packets() == last.packets()) {
                        quietSince = quietSince < 0 ? (System.nanoTime() - stopped) / 1_000_000 - 250 : quietSince;
                        if ((System.nanoTime() - stopped) / 1_000_000 - quietSince >= 1_000) {
                            break;
                        }
                    } else {
                        quietSince = -1;
                    }
                    last = now;
                }
                LoadViewer.Counts before = consenting.counts().await(5, TimeUnit.SECONDS);
                Thread.sleep(1_000);
                LoadViewer.Counts window = consenting.counts().await(5, TimeUnit.SECONDS).minus(before);
                System.out.printf("consent timeout %d s: a viewer that stopped its checks got no more media %d ms after; one that "
                        + "kept checking %s; dropped %s%n", timeoutSeconds, quietSince, window,
                        ForwardingPlaneTest.stats(vertx).getJsonObject("dropped").encode());
                assertTrue(quietSince >= 0 && quietSince <= bound, "media stopped within " + bound + " ms: " + quietSince);
                assertTrue(window.packets() > 50, "a viewer that keeps consenting keeps receiving: " + window);
            } finally {
                consenting.close().await(10, TimeUnit.SECONDS);
                silent.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void checksWithoutCredentialsOrWithAWrongPasswordGetNoAnswer(Vertx vertx) throws Exception {
        // The stranger's address holds no signalling socket (the player's is 127.0.0.1): the edge's STUN for
        // players does not answer it either.
        try (TestEdge edge = TestEdge.start(vertx, edgeConfig());
             SignallingClient signalling = SignallingClient.connect(vertx, edge.port(), "/app/stream");
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            Session session = Session.open(signalling);
            byte[] bare = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction()).build(null, false);
            Session wrongPassword = new Session(session.media, session.ufrag, "not-the-password-at-all", "x");
            stranger.setSoTimeout(300);
            int answers = 0;
            for (int i = 0; i < 5; i++) {
                stranger.send(new DatagramPacket(bare, bare.length, session.media));
                answers += answered(stranger);
                wrongPassword.check(stranger);
                answers += answered(stranger);
            }
            JsonObject dropped = ForwardingPlaneTest.stats(vertx).getJsonObject("dropped");
            System.out.printf("%d-byte bare Binding requests and wrong-password checks: %d answers; dropped %s%n", bare.length,
                    answers, dropped.encode());
            assertEquals(0, answers, "no answer to unauthenticated checks (a reflector) or to a wrong password (an oracle)");
            Scrape scrape = Scrape.of(edge.metricsPort());
            assertEquals(5, scrape.value("p2pedge_media_port_dropped_total", "reason=\"stun: player binding not answered\""),
                    scrape.text());
            assertTrue(session.passIce(stranger), "a right check from the same address is still answered");
        }
    }

    /** The ports the edge's STUN for players answers on, from the player page's endpoint. */
    private static List<Integer> stunPorts(int signallingPort) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + signallingPort + "/p2p/stun")).build(), HttpResponse.BodyHandlers.ofString());
        JsonArray urls = new JsonObject(response.body()).getJsonArray("iceServers").getJsonObject(0).getJsonArray("urls");
        return urls.stream().map(u -> Integer.parseInt(u.toString().replaceAll("^stun:.*:(\\d+)$", "$1"))).toList();
    }

    /** A plain Binding request from {@code socket} to {@code port}: the mapped address answered, or null for silence. */
    private static InetSocketAddress bind(DatagramSocket socket, int port) throws Exception {
        byte[] request = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction()).build(null, true);
        socket.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", port)));
        DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
        try {
            socket.receive(in);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return StunMessage.parse(in.getData(), in.getLength()).xorMappedAddress().orElseThrow();
    }

    @Test
    void stunAnswersAPlayersAddressOnBothPortsWhileItHoldsASocketAndNobodyElse(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, edgeConfig());
             DatagramSocket player = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0))) {
            List<Integer> ports = stunPorts(edge.port());
            assertEquals(2, ports.size(), "the media port and a second one: " + ports);
            player.setSoTimeout(300);
            stranger.setSoTimeout(300);
            for (int port : ports) {
                assertNull(bind(player, port), "no signalling socket from the address yet: silence on " + port);
            }
            SignallingClient signalling = SignallingClient.connect(vertx, edge.port(), "/app/stream");
            Thread.sleep(200); // the socket's admission travels over the event bus
            for (int port : ports) {
                assertEquals(player.getLocalSocketAddress(), bind(player, port), "its own address, on " + port);
                assertNull(bind(stranger, port), "another address gets silence on " + port);
            }
            byte[] request = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction()).build(null, true);
            for (int i = 0; i < 100; i++) {
                player.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", ports.get(0))));
            }
            int answered = 0;
            while (answered(player) == 1) {
                answered++;
            }
            System.out.printf("player STUN: 100 requests in a row from one address, %d answered%n", answered);
            assertTrue(answered <= 2 * 20 + 10, "rate-limited per address (20/s, a burst of 40): " + answered);
            signalling.close();
            player.setSoTimeout(300);
            Waits.until(() -> bind(player, ports.get(1)) == null, 5_000, "its socket closed: silence again");
            JsonObject stats = ForwardingPlaneTest.stats(vertx);
            assertEquals(0, stats.getInteger("stunAddresses"), "the address is forgotten with its last socket: " + stats.encode());
            assertTrue(stats.getLong("stunAnswers") >= 2 + answered, stats.encode());
        }
    }

    /** The forwarding plane; P2P placement by the OME rules, whose start costs nothing (the media port is under test). */
    private static JsonObject edgeConfig() {
        return ForwardingPlaneTest.forwarder().put("p2p", new JsonObject().put("policy", "ome"));
    }

    private static int answered(DatagramSocket socket) throws Exception {
        try {
            socket.receive(new DatagramPacket(new byte[1500], 1500));
            return 1;
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    /**
     * A DTLS record of 29 bytes: the first 4 bytes of a ClientHello that claims to be much longer, so a DTLS server
     * waits for the rest of it.
     */
    static byte[] clientHelloFragment() {
        ByteBuffer record = ByteBuffer.allocate(29);
        record.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).put(new byte[6]).putShort((short) 16);
        record.put((byte) 1).put(new byte[]{0, 0, (byte) 200}).putShort((short) 0).put(new byte[]{0, 0, 0}).put(new byte[]{0, 0, 4});
        record.put(new byte[]{(byte) 0xFE, (byte) 0xFD, 1, 2});
        return record.array();
    }

    /** The edge side of one media session, as a client that holds its credentials sees it. */
    record Session(InetSocketAddress media, String ufrag, String password, String remoteUfrag, String fingerprint) {

        Session(InetSocketAddress media, String ufrag, String password, String remoteUfrag) {
            this(media, ufrag, password, remoteUfrag, null);
        }

        /** Asks for an offer and answers it with a certificate nobody holds: ICE can pass, DTLS never. */
        static Session open(SignallingClient signalling) throws Exception {
            return open(signalling, FINGERPRINT);
        }

        /** Asks for an offer and answers it with the certificate of {@code answerFingerprint}. */
        static Session open(SignallingClient signalling, String answerFingerprint) throws Exception {
            JsonObject offer = signalling.requestOffer();
            String sdp = offer.getJsonObject("sdp").getString("sdp");
            Matcher port = PORT.matcher(sdp);
            assertTrue(port.find(), sdp);
            signalling.send(new JsonObject().put("command", "answer").put("id", offer.getLong("id")).put("peer_id", 0)
                    .put("sdp", new JsonObject().put("type", "answer").put("sdp", answer(answerFingerprint))));
            return new Session(new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))), attribute(sdp, "ice-ufrag"),
                    attribute(sdp, "ice-pwd"), "storm", fingerprintOf(sdp));
        }

        void check(DatagramSocket socket) throws Exception {
            byte[] check = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction())
                    .string(StunMessage.USERNAME, ufrag + ":" + remoteUfrag)
                    .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                    .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                    .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                    .build(password.getBytes(StandardCharsets.UTF_8), true);
            socket.send(new DatagramPacket(check, check.length, media));
        }

        /** Checks until answered with a success (the edge may not have taken the answer yet). */
        boolean passIce(DatagramSocket socket) throws Exception {
            socket.setSoTimeout(100);
            for (int attempt = 0; attempt < 50; attempt++) {
                check(socket);
                DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
                try {
                    while (true) {
                        socket.receive(response);
                        if (PacketKind.of(response.getData(), response.getLength()) == PacketKind.STUN) {
                            return StunMessage.parse(response.getData(), response.getLength()).type() == StunMessage.BINDING_SUCCESS;
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
            return false;
        }
    }

    private static String fingerprintOf(String sdp) {
        Matcher m = Pattern.compile("a=fingerprint:sha-256 (\\S+)").matcher(sdp);
        assertTrue(m.find(), "offer has a fingerprint");
        return m.group(1);
    }

    private static String answer(String fingerprint) {
        return String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=ice-ufrag:storm", "a=ice-pwd:0123456789abcdefghijklmn",
                "a=fingerprint:sha-256 " + fingerprint, "a=setup:active", "a=mid:0", "a=recvonly", "a=rtpmap:96 VP8/90000",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:1", "a=recvonly", "a=rtpmap:111 opus/48000/2", "");
    }

    private static byte[] transaction() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    private static String attribute(String sdp, String name) {
        Matcher m = Pattern.compile("a=" + name + ":(\\S+)").matcher(sdp);
        assertTrue(m.find(), "offer has " + name);
        return m.group(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
