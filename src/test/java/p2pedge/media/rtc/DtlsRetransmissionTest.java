package p2pedge.media.rtc;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DTLS handshake with the edge's shared port over a wire that loses or reorders a datagram must still complete
 * (the player's client resends its flights): the edge's last flight lost on the way to the player, which the port
 * must resend although its side is complete; the player's CertificateVerify overtaken by its ChangeCipherSpec, or
 * lost. Without these, a single unlucky datagram leaves a viewer without media until its connect timeout.
 */
@ExtendWith(VertxExtension.class)
class DtlsRetransmissionTest {

    private static final String UFRAG = "edgeufrag2";
    private static final String PASSWORD = "edgepassword0123456789cd";

    @Test
    void aLostFinalFlightIsResentWhenThePlayerRetransmits(Vertx vertx) throws Exception {
        // Content type 20 is ChangeCipherSpec; the edge's Finished rides in the same flight.
        FaultyTransport.Faults faults = new FaultyTransport.Faults() {
            @Override
            boolean dropIncoming(byte[] datagram) {
                return dropOnce(datagram[0] == 20);
            }
        };
        Handshake done = handshake(vertx, faults);
        assertEquals(1, faults.dropped.get(), "the edge's final flight was dropped once");
        assertTrue(done.port.recordsAfterHandshake() > 0, "the player retransmitted after the edge's side was complete");
        System.out.printf("DTLS with the edge's final flight lost once: completed after %d ms%n", done.millis);
    }

    /**
     * The player's CertificateVerify arrives after its ChangeCipherSpec and Finished (seen under load: the datagram
     * was overtaken on the way). Bouncy Castle's server switches epochs at the ChangeCipherSpec and would then discard
     * the CertificateVerify and every resent one: the handshake hung until the player's timeout.
     */
    @Test
    void aCertificateVerifyOvertakenByTheCipherChangeStillCompletes(Vertx vertx) throws Exception {
        FaultyTransport.Faults faults = new FaultyTransport.Faults() {
            byte[] late;

            @Override
            List<byte[]> outgoing(byte[] datagram) {
                if (late == null && dropped.get() == 0 && isCertificateVerify(datagram)) {
                    late = datagram;
                    dropped.incrementAndGet();
                    return List.of();
                }
                if (late != null && datagram[3] == 0 && datagram[4] == 1) { // the epoch-1 Finished: the late one follows
                    byte[] overtaken = late;
                    late = null;
                    return List.of(datagram, overtaken);
                }
                return List.of(datagram);
            }
        };
        Handshake done = handshake(vertx, faults);
        assertEquals(1, faults.dropped.get(), "the CertificateVerify was sent after the Finished");
        System.out.printf("DTLS with the CertificateVerify overtaken: completed after %d ms%n", done.millis);
    }

    /** The datagram with the player's CertificateVerify is lost: the edge takes the one in the resent flight. */
    @Test
    void aLostCertificateVerifyIsTakenFromTheResentFlight(Vertx vertx) throws Exception {
        FaultyTransport.Faults faults = new FaultyTransport.Faults() {
            @Override
            List<byte[]> outgoing(byte[] datagram) {
                return dropOnce(isCertificateVerify(datagram)) ? List.of() : List.of(datagram);
            }
        };
        Handshake done = handshake(vertx, faults);
        assertEquals(1, faults.dropped.get(), "the first CertificateVerify was lost");
        System.out.printf("DTLS with the CertificateVerify lost once: completed after %d ms%n", done.millis);
    }

    /**
     * The player's ClientHello needs several datagrams (as Chrome's does, with its large key shares) and comes before
     * its address is nominated, while the player has checked a second address too (so the edge waits for its
     * choice): the port holds every fragment, not only the first, so the handshake starts whole at the nomination
     * instead of waiting about a second for the player to resend its ClientHello.
     */
    @Test
    void aClientHelloInSeveralDatagramsBeforeNominationIsTakenWhole(Vertx vertx) throws Exception {
        AtomicInteger helloStarts = new AtomicInteger();
        AtomicInteger helloDatagrams = new AtomicInteger();
        FaultyTransport.Faults faults = new FaultyTransport.Faults() {
            @Override
            int sendLimit() {
                return 150; // the ClientHello goes out in fragments, one per datagram
            }

            @Override
            List<byte[]> outgoing(byte[] datagram) {
                if (DtlsRecords.startsClientHello(datagram)) {
                    helloStarts.incrementAndGet();
                }
                if (DtlsRecords.startsClientHello(datagram) || DtlsRecords.continuesClientHello(datagram)) {
                    helloDatagrams.incrementAndGet();
                }
                return List.of(datagram);
            }
        };
        Edge setup = Edge.start(vertx);
        SharedUdpPort port = setup.port();
        InetSocketAddress edge = setup.address();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket otherPath = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            passIce(otherPath, edge, IceChecks.checking(UFRAG, PASSWORD));
            passIce(socket, edge, IceChecks.checking(UFRAG, PASSWORD));
            CompletableFuture<SrtpKeys> playerKeys = new CompletableFuture<>();
            Thread player = new Thread(() -> {
                try {
                    new DTLSClientProtocol().connect(setup.client(playerKeys), new FaultyTransport(socket, edge, faults));
                } catch (Exception e) {
                    playerKeys.completeExceptionally(e);
                }
            }, "dtls-player");
            player.start();
            // Every datagram of the ClientHello reached the port (and was held, or dropped) before the nomination.
            p2pedge.testing.Waits.until(() -> helloDatagrams.get() >= 2 && port.dropped().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("dtls:")).mapToLong(Map.Entry::getValue).sum() == helloDatagrams.get(),
                    5_000, "the ClientHello's datagrams at the port: " + port.dropped());
            assertTrue(helloDatagrams.get() <= 4, helloDatagrams.get() + " datagrams for the ClientHello");
            byte[] nominate = IceChecks.nominating(UFRAG, PASSWORD);
            socket.send(new DatagramPacket(nominate, nominate.length, edge)); // its answer goes to the player's DTLS reads
            assertArrayEquals(setup.edgeKeys().get(10, TimeUnit.SECONDS).serverKey(), playerKeys.get(10, TimeUnit.SECONDS).serverKey());
            player.join(5_000);
            assertEquals(1, helloStarts.get(), "the ClientHello was sent once: the port did not wait for a retransmission");
            assertEquals(helloDatagrams.get() - 1, port.dropped().getOrDefault("dtls: ClientHello fragment held", 0L), "all held");
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A player whose only checked address is not nominated yet (libwebrtc sends its ClientHello as soon as a check
     * succeeded, and nominates with a later one): the handshake starts at once and completes with no nomination.
     */
    @Test
    void aClientHelloFromTheOnlyCheckedAddressStartsTheHandshakeBeforeANomination(Vertx vertx) throws Exception {
        Edge setup = Edge.start(vertx);
        SharedUdpPort port = setup.port();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            passIce(socket, setup.address(), IceChecks.checking(UFRAG, PASSWORD));
            CompletableFuture<SrtpKeys> playerKeys = new CompletableFuture<>();
            new DTLSClientProtocol().connect(setup.client(playerKeys), new FaultyTransport(socket, setup.address(), new FaultyTransport.Faults() {
            }));
            assertArrayEquals(setup.edgeKeys().get(5, TimeUnit.SECONDS).serverKey(), playerKeys.get(5, TimeUnit.SECONDS).serverKey());
            assertEquals(1, port.handshakesDone());
            assertEquals(0L, port.dropped().getOrDefault("dtls: address not nominated (ClientHello held)", 0L), "nothing held");
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    private record Handshake(SharedUdpPort port, long millis) {
    }

    /** A full handshake between a player's DTLS client on a faulty wire and the edge's port; both must end with the same keys. */
    private static Handshake handshake(Vertx vertx, FaultyTransport.Faults faults) throws Exception {
        Edge setup = Edge.start(vertx);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            passIce(socket, setup.address());
            CompletableFuture<SrtpKeys> playerKeys = new CompletableFuture<>();
            long started = System.nanoTime();
            new DTLSClientProtocol().connect(setup.client(playerKeys), new FaultyTransport(socket, setup.address(), faults));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertArrayEquals(setup.edgeKeys().get(5, TimeUnit.SECONDS).serverKey(), playerKeys.get(5, TimeUnit.SECONDS).serverKey());
            assertEquals(1, setup.port().handshakesDone());
            return new Handshake(setup.port(), millis);
        } finally {
            setup.port().close().await(5, TimeUnit.SECONDS);
        }
    }

    /** The edge's port with one session open for the player's certificate, listening on loopback. */
    private record Edge(SharedUdpPort port, InetSocketAddress address, BcTlsCrypto crypto, DtlsCertificate edgeIdentity,
                        DtlsCertificate playerIdentity, CompletableFuture<SrtpKeys> edgeKeys) {

        static Edge start(Vertx vertx) throws Exception {
            BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
            DtlsCertificate edgeIdentity = DtlsCertificate.generate(crypto);
            DtlsCertificate playerIdentity = DtlsCertificate.generate(crypto);
            CompletableFuture<SrtpKeys> edgeKeys = new CompletableFuture<>();
            SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity);
            port.open(new MediaSession(UFRAG, PASSWORD, playerIdentity.fingerprint(), edgeKeys::complete));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
            return new Edge(port, address, crypto, edgeIdentity, playerIdentity, edgeKeys);
        }

        /** The player's DTLS client, checking the edge's certificate. */
        DtlsSrtpClient client(CompletableFuture<SrtpKeys> playerKeys) {
            return new DtlsSrtpClient(crypto, playerIdentity, edgeIdentity.fingerprint(), playerKeys::complete);
        }
    }

    /** An epoch-0 handshake record carrying a CertificateVerify (handshake type 15), as Bouncy Castle sends it: alone. */
    private static boolean isCertificateVerify(byte[] datagram) {
        return datagram.length > 13 && datagram[0] == 22 && datagram[3] == 0 && datagram[4] == 0 && datagram[13] == 15;
    }

    private static void passIce(DatagramSocket socket, InetSocketAddress edge) throws Exception {
        passIce(socket, edge, IceChecks.nominating(UFRAG, PASSWORD));
    }

    private static void passIce(DatagramSocket socket, InetSocketAddress edge, byte[] check) throws Exception {
        socket.send(new DatagramPacket(check, check.length, edge));
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        socket.setSoTimeout(5_000);
        socket.receive(response);
        assertEquals(StunMessage.BINDING_SUCCESS, StunMessage.parse(response.getData(), response.getLength()).type());
    }

    /** The player's side of the wire, with faults: datagrams dropped on the way in, dropped or reordered on the way out. */
    private static final class FaultyTransport implements DatagramTransport {

        abstract static class Faults {
            final AtomicInteger dropped = new AtomicInteger();

            /** True the first time {@code matches} is: that datagram is the one lost. */
            boolean dropOnce(boolean matches) {
                return matches && dropped.compareAndSet(0, 1);
            }

            boolean dropIncoming(byte[] datagram) {
                return false;
            }

            int sendLimit() {
                return 1200;
            }

            /** What goes on the wire in place of {@code datagram}, in order (called on the handshake's thread). */
            List<byte[]> outgoing(byte[] datagram) {
                return List.of(datagram);
            }
        }

        private final DatagramSocket socket;
        private final InetSocketAddress edge;
        private final Faults faults;

        FaultyTransport(DatagramSocket socket, InetSocketAddress edge, Faults faults) {
            this.socket = socket;
            this.edge = edge;
            this.faults = faults;
        }

        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return faults.sendLimit();
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws java.io.IOException {
            long deadline = System.currentTimeMillis() + waitMillis;
            while (true) {
                int wait = (int) Math.max(1, deadline - System.currentTimeMillis());
                socket.setSoTimeout(wait);
                DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
                if (data.length == 0 || faults.dropIncoming(data)) {
                    continue;
                }
                int n = Math.min(len, data.length);
                System.arraycopy(data, 0, buf, off, n);
                return n;
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws java.io.IOException {
            for (byte[] datagram : faults.outgoing(Arrays.copyOfRange(buf, off, off + len))) {
                socket.send(new DatagramPacket(datagram, datagram.length, edge));
            }
        }

        @Override
        public void close() {
        }
    }
}
