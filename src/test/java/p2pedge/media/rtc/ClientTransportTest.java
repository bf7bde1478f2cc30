package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client transport the pull and the load viewer share, against the edge's own shared port (ICE-lite, DTLS
 * server) in process, and against a full ICE agent played by a bare socket.
 */
@ExtendWith(VertxExtension.class)
class ClientTransportTest {

    private static final String UFRAG = "edgeufrag3";
    private static final String PASSWORD = "edgepassword0123456789ef";

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate edgeIdentity = DtlsCertificate.generate(crypto);
    private final DtlsCertificate clientIdentity = DtlsCertificate.generate(crypto);
    private final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();
    private final AtomicInteger refused = new AtomicInteger();
    private Vertx vertx;
    private Context context;
    private ClientTransport transport;
    private int clientPort;

    @BeforeEach
    void create(Vertx vertx) throws Exception {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        transport = onContext(v -> {
            ClientTransport created = new ClientTransport(vertx, crypto, clientIdentity, h -> vertx.executeBlocking(h, false),
                    new ClientTransport.Receiver() {
                        @Override
                        public void onRtp(byte[] plain, int datagramLength, long readNanos) {
                            rtp.add(plain);
                        }

                        @Override
                        public void onRtcp(byte[] plain) {
                            rtcp.add(plain);
                        }

                        @Override
                        public void onRefused() {
                            refused.incrementAndGet();
                        }
                    });
            return created.listen("127.0.0.1").map(port -> {
                clientPort = port;
                return created;
            });
        });
    }

    @AfterEach
    void close() throws Exception {
        onContext(v -> transport.close());
    }

    /** Runs on the transport's context and waits for the outcome. */
    private <T> T onContext(Function<Void, Future<T>> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> action.apply(null).onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.completeExceptionally(ar.cause());
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }

    private boolean sendRtcp(byte[] plain) throws Exception {
        Boolean sent = onContext(v -> {
            try {
                return Future.succeededFuture(transport.sendRtcp(plain));
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        });
        return sent;
    }

    private static byte[] rtpPacket(int sequence) {
        return ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) sequence).putInt(1000)
                .putInt(0x1234).putInt(0xCAFEBABE).array();
    }

    /** The client offers every profile; the edge settles on the one it is configured with. */
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void connectsToTheEdgesPortAndCarriesSrtpBothWaysFromTheSelectedPairOnly(SrtpProfile profile) throws Exception {
        CompletableFuture<SrtpKeys> edgeKeys = new CompletableFuture<>();
        BlockingQueue<byte[]> atEdge = new LinkedBlockingQueue<>();
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity);
        port.srtpProfiles(List.of(profile));
        port.open(new MediaSession(UFRAG, PASSWORD, clientIdentity.fingerprint(), edgeKeys::complete,
                (kind, packet, receivedNanos) -> atEdge.add(packet)));
        InetSocketAddress edge = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
        try {
            onContext(v -> {
                transport.addCandidate(new InetSocketAddress("127.0.0.1", 9)); // announced, never answers
                transport.addCandidate(edge);
                return transport.connect(new ClientTransport.Remote(UFRAG, PASSWORD, edgeIdentity.fingerprint(), true));
            });
            assertEquals(Optional.of(edge), transport.selected());
            // The client's handshake may end before the edge's completion has hopped back to the port's context:
            // the edge selects the address and hands the session its keys there, in that order.
            SrtpTransformer edgeOut = SrtpTransformer.forSending(edgeKeys.get(5, TimeUnit.SECONDS));
            assertEquals(profile, edgeOut.profile());
            assertEquals(Optional.of(profile), transport.srtpProfile(), "the client took what the edge picked");
            InetSocketAddress client = port.addressOf(UFRAG).orElseThrow();
            assertEquals(clientPort, client.getPort());

            port.send(client, edgeOut.protectRtp(rtpPacket(1)));
            assertArrayEquals(rtpPacket(1), rtp.poll(5, TimeUnit.SECONDS), "decrypted");
            byte[] sr = Rtcp.senderReport(0x1234, 1L << 32, 1000, 1, 16);
            port.send(client, edgeOut.protectRtcp(sr));
            assertArrayEquals(sr, rtcp.poll(5, TimeUnit.SECONDS));

            byte[] pli = Rtcp.pli(7, 0x1234);
            assertTrue(sendRtcp(pli));
            byte[] protectedPli = atEdge.poll(5, TimeUnit.SECONDS);
            assertArrayEquals(pli, SrtpTransformer.forReceiving(edgeKeys.get()).unprotectRtcp(protectedPli).orElseThrow());

            // Authentic SRTP, but from an address no check validated: refused before decryption.
            int before = refused.get();
            try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                byte[] copy = edgeOut.protectRtp(rtpPacket(2));
                stranger.send(new DatagramPacket(copy, copy.length, client));
            }
            port.send(client, edgeOut.protectRtp(rtpPacket(3)));
            assertArrayEquals(rtpPacket(3), rtp.poll(5, TimeUnit.SECONDS), "the edge's next packet still arrives");
            assertEquals(before + 1, refused.get(), "the stranger's packet was counted as refused");
            assertNull(rtp.poll(100, TimeUnit.MILLISECONDS));
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * libwebrtc moves to a better pair after the handshake (ICE-TCP first, UDP once it answers) and nominates it: the
     * edge follows only once that address answered the edge's own check, made with the peer's password. Unanswered
     * (a forged source: the peer knows its password, its victim would not answer), answered with another key, or
     * answered from elsewhere, media stays where it was.
     */
    @Test
    void mediaFollowsANominatedAddressOnlyOnceItAnsweredTheEdgesCheck() throws Exception {
        String peerUfrag = "peerufrag";
        String peerPassword = "peerpassword0123456789ab";
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity);
        port.open(new MediaSession(UFRAG, PASSWORD, clientIdentity.fingerprint(), peerUfrag, peerPassword, keys -> { },
                (kind, packet, receivedNanos) -> { }));
        InetSocketAddress edge = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
        try (DatagramSocket moved = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            moved.setSoTimeout(5_000);
            onContext(v -> {
                transport.addCandidate(edge);
                return transport.connect(new ClientTransport.Remote(UFRAG, PASSWORD, edgeIdentity.fingerprint(), true));
            });
            InetSocketAddress first = waitForAddress(port, a -> a.getPort() == clientPort);
            InetSocketAddress movedTo = (InetSocketAddress) moved.getLocalSocketAddress();

            StunMessage request = nominateAndReceiveCheck(moved, edge, peerUfrag);
            assertTrue(request.hasValidIntegrity(peerPassword.getBytes(StandardCharsets.UTF_8)), "made with the peer's password");
            assertTrue(request.has(StunMessage.ICE_CONTROLLED), "the edge is the controlled agent");
            Thread.sleep(200);
            assertEquals(Optional.of(first), port.addressOf(UFRAG), "unanswered: media stays");

            byte[] wrongKey = StunMessage.builder(StunMessage.BINDING_SUCCESS, request.transactionId())
                    .xorMappedAddress(edge).build("notthepeerspassword01234".getBytes(StandardCharsets.UTF_8), true);
            moved.send(new DatagramPacket(wrongKey, wrongKey.length, edge));
            byte[] answer = StunMessage.builder(StunMessage.BINDING_SUCCESS, request.transactionId())
                    .xorMappedAddress(edge).build(peerPassword.getBytes(StandardCharsets.UTF_8), true);
            stranger.send(new DatagramPacket(answer, answer.length, edge));
            Thread.sleep(200);
            assertEquals(Optional.of(first), port.addressOf(UFRAG), "answered with another key, or from elsewhere: media stays");
            assertEquals(0, port.routesMoved());

            moved.send(new DatagramPacket(answer, answer.length, edge));
            assertEquals(movedTo, waitForAddress(port, movedTo::equals), "answered: media follows the peer");
            assertEquals(1, port.routesMoved());
            assertTrue(port.dropped().getOrDefault("stun: unexpected response", 0L) >= 2, port.dropped().toString());
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** Sends a valid nominating check from {@code from}; returns the edge's Binding request that follows its answer. */
    private static StunMessage nominateAndReceiveCheck(DatagramSocket from, InetSocketAddress edge, String peerUfrag) throws Exception {
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        byte[] check = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, UFRAG + ":" + peerUfrag)
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .build(PASSWORD.getBytes(StandardCharsets.UTF_8), true);
        from.send(new DatagramPacket(check, check.length, edge));
        for (int i = 0; i < 4; i++) {
            DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
            from.receive(in);
            StunMessage message = StunMessage.parse(Arrays.copyOf(in.getData(), in.getLength()), in.getLength());
            if (message.type() == StunMessage.BINDING_REQUEST) {
                assertEquals(Optional.of(peerUfrag + ":" + UFRAG), message.username());
                return message;
            }
        }
        throw new AssertionError("the edge sent no check to the nominated address");
    }

    private static InetSocketAddress waitForAddress(SharedUdpPort port, java.util.function.Predicate<InetSocketAddress> wanted)
            throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<InetSocketAddress> now = port.addressOf(UFRAG);
            if (now.isPresent() && wanted.test(now.get())) {
                return now.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the port's address for the session is " + port.addressOf(UFRAG));
    }

    @Test
    void anEdgeWhoseCertificateIsNotTheAnnouncedOneIsRefused() throws Exception {
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity);
        port.open(new MediaSession(UFRAG, PASSWORD, clientIdentity.fingerprint(), keys -> { }));
        InetSocketAddress edge = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
        String otherFingerprint = DtlsCertificate.generate(crypto).fingerprint();
        try {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> onContext(v -> {
                transport.addCandidate(edge);
                return transport.connect(new ClientTransport.Remote(UFRAG, PASSWORD, otherFingerprint, true));
            }));
            assertTrue(failed.getCause().getMessage().startsWith("DTLS with " + edge), failed.getCause().getMessage());
            assertFalse(sendRtcp(Rtcp.pli(1, 2)), "nothing is sent without keys");
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** The edge refuses a client whose certificate is not the one its SDP announced, and keeps why (diagnosis). */
    @Test
    void aClientWhoseCertificateIsNotTheAnnouncedOneIsRefusedAndTheCauseKept() throws Exception {
        String announced = DtlsCertificate.generate(crypto).fingerprint();
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity);
        port.open(new MediaSession(UFRAG, PASSWORD, announced, keys -> { }));
        InetSocketAddress edge = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
        try {
            assertThrows(ExecutionException.class, () -> onContext(v -> {
                transport.addCandidate(edge);
                return transport.connect(new ClientTransport.Remote(UFRAG, PASSWORD, edgeIdentity.fingerprint(), true));
            }));
            long deadline = System.currentTimeMillis() + 5_000;
            while (port.recentHandshakeFailures().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            List<String> failures = port.recentHandshakeFailures();
            assertEquals(1, failures.size(), failures.toString());
            assertTrue(failures.get(0).startsWith("/127.0.0.1:" + clientPort + ": ") && failures.get(0).contains(" datagrams in, "),
                    failures.get(0));
            // What the client sent, in short: its ClientHello (handshake type 1, message 0) first, in epoch 0.
            assertTrue(failures.get(0).contains("; in: [22/0/0:1#0"), failures.get(0));
            assertEquals(1L, port.dropped().get("dtls: handshake failed"), port.dropped().toString());
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** Against a full agent (libwebrtc) the transport is controlled: it answers checks and follows the nomination. */
    @Test
    void againstAFullAgentItIsControlledAnswersChecksAndTakesTheNominatedPair() throws Exception {
        String remotePassword = "remotepassword0123456789";
        try (DatagramSocket agent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            agent.setSoTimeout(5_000);
            InetSocketAddress agentAddress = new InetSocketAddress("127.0.0.1", agent.getLocalPort());
            InetSocketAddress client = new InetSocketAddress("127.0.0.1", clientPort);
            context.runOnContext(v -> {
                transport.addCandidate(agentAddress);
                transport.connect(new ClientTransport.Remote("remote", remotePassword, edgeIdentity.fingerprint(), false));
            });

            StunMessage check = receiveStun(agent);
            assertEquals(StunMessage.BINDING_REQUEST, check.type());
            assertEquals(Optional.of("remote:" + transport.ufrag()), check.username());
            assertTrue(check.has(StunMessage.ICE_CONTROLLED));
            assertFalse(check.has(StunMessage.USE_CANDIDATE), "only the controlling agent nominates");
            assertTrue(check.hasValidIntegrity(remotePassword.getBytes(StandardCharsets.UTF_8)));

            byte[] transaction = new byte[12];
            new SecureRandom().nextBytes(transaction);
            byte[] nomination = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                    .string(StunMessage.USERNAME, transport.ufrag() + ":remote")
                    .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                    .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                    .build(transport.password().getBytes(StandardCharsets.UTF_8), true);
            agent.send(new DatagramPacket(nomination, nomination.length, client));
            StunMessage answer = receiveStun(agent);
            while (answer.type() != StunMessage.BINDING_SUCCESS) {
                answer = receiveStun(agent); // checks sent meanwhile
            }
            assertArrayEquals(transaction, answer.transactionId());
            assertTrue(answer.hasValidIntegrity(transport.password().getBytes(StandardCharsets.UTF_8)));
            assertEquals(Optional.of(agentAddress), answer.xorMappedAddress(), "where the agent was seen");

            DatagramPacket hello = new DatagramPacket(new byte[1500], 1500);
            do {
                agent.receive(hello);
            } while (PacketKind.of(hello.getData(), hello.getLength()) == PacketKind.STUN);
            assertEquals(PacketKind.DTLS, PacketKind.of(hello.getData(), hello.getLength()), "DTLS starts on the nominated pair");
            assertEquals(Optional.of(agentAddress), onContext(v -> Future.succeededFuture(transport.selected())));
        }
    }

    private static StunMessage receiveStun(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        socket.receive(packet);
        return StunMessage.parse(Arrays.copyOf(packet.getData(), packet.getLength()), packet.getLength());
    }
}
