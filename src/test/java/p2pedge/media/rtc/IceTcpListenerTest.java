package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.OnContext;
import p2pedge.testing.Waits;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ICE-TCP on the shared port (RFC 6544 passive, RFC 4571 frames), as a player and as an attacker: an authenticated
 * check over a connection is answered on it and binds it to its session, media goes back on it, and the session's
 * end closes it; a connection that passes no check in time, opens with anything but STUN, announces a frame larger
 * than a player's, or exceeds the per-address or total connection caps is closed and counted; a player that does
 * not read loses packets, counted, instead of growing the edge's memory. Real sockets on loopback.
 */
@ExtendWith(VertxExtension.class)
class IceTcpListenerTest {

    private static final String UFRAG = "tcp1";
    private static final String PASSWORD = "tcppassword0123456789012";

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final List<Socket> sockets = new ArrayList<>();
    private Context context;
    private SharedUdpPort port;
    private int tcpPort;

    @BeforeEach
    void listen(Vertx vertx) throws Exception {
        context = vertx.getOrCreateContext();
        port = new SharedUdpPort(vertx, crypto, DtlsCertificate.generate(crypto));
        OnContext.call(context, () -> port.listen("127.0.0.1", 0));
        tcpPort = OnContext.call(context, () -> port.listenTcp("127.0.0.1", 0, new IceTcpListener.Limits(4, 2, 1, 30)));
        OnContext.run(context, () -> port.open(new MediaSession(UFRAG, PASSWORD, "sha-256 00", keys -> { }, (kind, packet, receivedNanos) -> { })));
    }

    @AfterEach
    void close() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        OnContext.call(context, () -> port.close());
    }

    private Socket connect() throws IOException {
        return connect("127.0.0.1");
    }

    /** A connection from {@code local} (another loopback address is another player). */
    private Socket connect(String local) throws IOException {
        Socket socket = new Socket(java.net.InetAddress.getByName("127.0.0.1"), tcpPort, java.net.InetAddress.getByName(local), 0);
        socket.setSoTimeout(5_000);
        sockets.add(socket);
        return socket;
    }

    private static void sendFrame(Socket socket, byte[] packet) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeShort(packet.length);
        out.write(packet);
        out.flush();
    }

    private static byte[] readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] packet = new byte[in.readUnsignedShort()];
        in.readFully(packet);
        return packet;
    }

    /** True when the edge closed the connection within the socket's timeout. */
    private static boolean closedByEdge(Socket socket) throws IOException {
        try {
            while (true) {
                if (socket.getInputStream().read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static InetSocketAddress remoteOf(Socket socket) {
        return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }

    @Test
    void anAuthenticatedCheckIsAnsweredOnItsConnectionWhichCarriesMediaUntilTheSessionEnds() throws Exception {
        Socket player = connect();
        sendFrame(player, IceChecks.nominating(UFRAG, PASSWORD));
        byte[] response = readFrame(player);
        assertEquals(StunMessage.BINDING_SUCCESS, StunMessage.parse(response, response.length).type());
        assertEquals(UFRAG, port.sessionOf(remoteOf(player)).orElseThrow(), "the connection stands for its session's peer");
        Thread.sleep(1_500); // past checkSeconds: an authenticated connection stays
        byte[] media = new byte[]{(byte) 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        OnContext.run(context, () -> port.send(remoteOf(player), media));
        assertEquals(media.length, readFrame(player).length, "what the port sends to the address goes on the connection");
        OnContext.run(context, () -> port.close(UFRAG));
        assertTrue(closedByEdge(player), "the session's end closes its connection");
        Waits.until(() -> port.tcpConnections() == 0, 5_000, "the connection is forgotten");
    }

    @Test
    void aConnectionThatPassesNoCheckInTimeIsClosed() throws Exception {
        Socket idle = connect();
        Socket wrongPassword = connect();
        sendFrame(wrongPassword, IceChecks.nominating(UFRAG, "not-the-password-0123456"));
        assertTrue(closedByEdge(idle), "a silent connection is closed after checkSeconds");
        assertTrue(closedByEdge(wrongPassword), "a connection whose check fails is closed too");
        Waits.until(() -> port.dropped().getOrDefault("tcp: no ICE check passed in time", 0L) == 2, 5_000, "both counted");
    }

    @Test
    void aFirstFrameThatIsNotStunOrAnOversizedFrameClosesTheConnection() throws Exception {
        Socket dtlsFirst = connect();
        sendFrame(dtlsFirst, new byte[]{22, (byte) 0xFE, (byte) 0xFD, 0, 0});
        assertTrue(closedByEdge(dtlsFirst));
        Socket huge = connect();
        new DataOutputStream(huge.getOutputStream()).writeShort(IceTcpListener.MAX_FRAME + 1);
        assertTrue(closedByEdge(huge));
        assertEquals(1L, port.dropped().get("tcp: first frame not STUN"), port.dropped().toString());
        assertEquals(1L, port.dropped().get("tcp: frame of " + (IceTcpListener.MAX_FRAME + 1) + " bytes"), port.dropped().toString());
    }

    @Test
    void connectionsAreCappedPerAddressAndInAll() throws Exception {
        connect();
        connect();
        Socket third = connect(); // the cap per address is 2
        assertTrue(closedByEdge(third), "a third connection from one address is closed at once");
        assertEquals(1L, port.dropped().get("tcp: connection refused (address at its TCP limit)"), port.dropped().toString());
        assertEquals(2, port.tcpConnections());
        connect("127.0.0.2");
        connect("127.0.0.2");
        Socket fifth = connect("127.0.0.3"); // 4 in all
        assertTrue(closedByEdge(fifth), "a connection beyond the edge's TCP limit is closed at once");
        assertEquals(1L, port.dropped().get("tcp: connection refused (edge at its TCP limit)"), port.dropped().toString());
    }

    @Test
    void aPlayerThatDoesNotReadLosesPacketsNotTheEdgesMemory() throws Exception {
        Socket player = connect();
        player.setReceiveBufferSize(4096);
        sendFrame(player, IceChecks.nominating(UFRAG, PASSWORD));
        readFrame(player);
        byte[] media = new byte[1200];
        media[0] = (byte) 0x80;
        media[1] = 96;
        for (int round = 0; round < 40 && port.dropped().getOrDefault("tcp: player not reading (write queue full)", 0L) == 0; round++) {
            OnContext.run(context, () -> {
                for (int i = 0; i < 500; i++) {
                    port.send(remoteOf(player), media);
                }
            });
            Thread.sleep(50);
        }
        assertTrue(port.dropped().getOrDefault("tcp: player not reading (write queue full)", 0L) > 0,
                "packets beyond the write queue are dropped and counted: " + port.dropped());
    }
}
