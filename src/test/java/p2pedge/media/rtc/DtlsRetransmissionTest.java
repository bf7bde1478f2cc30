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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's last DTLS flight (ChangeCipherSpec + Finished) is lost on the way to the player: the player's DTLS
 * client sends its own last flight again, and the shared port must answer by resending its flight, although
 * its side of the handshake is already complete. Without that, a single lost datagram leaves a viewer without
 * media until its connect timeout.
 */
@ExtendWith(VertxExtension.class)
class DtlsRetransmissionTest {

    private static final String UFRAG = "edgeufrag2";
    private static final String PASSWORD = "edgepassword0123456789cd";

    @Test
    void aLostFinalFlightIsResentWhenThePlayerRetransmits(Vertx vertx) throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        DtlsCertificate edgeIdentity = DtlsCertificate.generate(crypto);
        DtlsCertificate playerIdentity = DtlsCertificate.generate(crypto);
        Map<String, MediaSession> sessions = new ConcurrentHashMap<>();
        CompletableFuture<SrtpKeys> edgeKeys = new CompletableFuture<>();
        sessions.put(UFRAG, new MediaSession(UFRAG, PASSWORD, playerIdentity.fingerprint(), edgeKeys::complete));
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, edgeIdentity, ufrag -> Optional.ofNullable(sessions.get(ufrag)));
        InetSocketAddress edge = new InetSocketAddress("127.0.0.1", port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            passIce(socket, edge);
            LosingTransport transport = new LosingTransport(socket, edge);
            CompletableFuture<SrtpKeys> playerKeys = new CompletableFuture<>();
            long started = System.nanoTime();
            new DTLSClientProtocol().connect(new DtlsSrtpClient(crypto, playerIdentity, edgeIdentity.fingerprint(),
                    playerKeys::complete), transport);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(transport.dropped.get() >= 1, "the edge's final flight was dropped once");
            assertArrayEquals(edgeKeys.get(5, TimeUnit.SECONDS).serverKey(), playerKeys.get(5, TimeUnit.SECONDS).serverKey());
            assertTrue(port.recordsAfterHandshake() > 0, "the player retransmitted after the edge's side was complete");
            assertEquals(1, port.handshakesDone());
            System.out.printf("DTLS with the edge's final flight lost once: completed after %d ms (%d datagrams dropped)%n",
                    millis, transport.dropped.get());
        } finally {
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    private static void passIce(DatagramSocket socket, InetSocketAddress edge) throws Exception {
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        byte[] check = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, UFRAG + ":player")
                .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .build(PASSWORD.getBytes(StandardCharsets.UTF_8), true);
        socket.send(new DatagramPacket(check, check.length, edge));
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        socket.setSoTimeout(5_000);
        socket.receive(response);
        assertEquals(StunMessage.BINDING_SUCCESS, StunMessage.parse(response.getData(), response.getLength()).type());
    }

    /** The player's side of the wire, dropping the first datagram that carries the edge's ChangeCipherSpec. */
    private static final class LosingTransport implements DatagramTransport {
        private final DatagramSocket socket;
        private final InetSocketAddress edge;
        final AtomicInteger dropped = new AtomicInteger();

        LosingTransport(DatagramSocket socket, InetSocketAddress edge) {
            this.socket = socket;
            this.edge = edge;
        }

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
                // Content type 20 is ChangeCipherSpec; the edge's Finished rides in the same flight.
                if (data.length > 0 && data[0] == 20 && dropped.get() == 0) {
                    dropped.incrementAndGet();
                    continue;
                }
                int n = Math.min(len, data.length);
                System.arraycopy(data, 0, buf, off, n);
                return n;
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws java.io.IOException {
            socket.send(new DatagramPacket(buf, off, len, edge));
        }

        @Override
        public void close() {
        }
    }
}
