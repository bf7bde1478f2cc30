package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The test player must read what an edge says and closes with right after the upgrade (the 404 for an unknown
 * stream), even in the same TCP segment. Vert.x 5.1's WebSocket client fails its connect with "WebSocket is closed"
 * when the close frame is handled before the connect's own callback sets the handlers (a thread hop apart), which
 * failed SignallingProtocolTest on CI once; this client reads the upgrade and the frames in one place.
 */
@ExtendWith(VertxExtension.class)
class SignallingClientTest {

    @Test
    void aMessageAndCloseArrivingWithTheUpgradeAreBothRead(Vertx vertx) throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> {
            String text = "{\"command\":\"error\",\"code\":404}";
            Buffer all = Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: unchecked\r\n\r\n")
                    .appendByte((byte) 0x81).appendByte((byte) text.length()).appendString(text)
                    .appendByte((byte) 0x88).appendByte((byte) 5).appendShort((short) 1008).appendString("bye");
            socket.write(all);
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        try (SignallingClient player = SignallingClient.connect(vertx, server.actualPort(), "/app/nope")) {
            assertEquals(404, player.next().getInteger("code"));
            SignallingClient.Closed closed = player.awaitClose(Duration.ofSeconds(5));
            assertEquals((short) 1008, closed.code());
            assertEquals("bye", closed.reason());
        } finally {
            server.close();
        }
    }

    @Test
    void fragmentedTextFromTheEdgeIsOneMessage(Vertx vertx) throws Exception {
        byte[] first = "{\"command\":".getBytes(StandardCharsets.UTF_8);
        byte[] rest = "\"pong\"}".getBytes(StandardCharsets.UTF_8);
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> socket.write(
                Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                        .appendByte((byte) 0x01).appendByte((byte) first.length).appendBytes(first)
                        .appendByte((byte) 0x80).appendByte((byte) rest.length).appendBytes(rest))))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        try (SignallingClient player = SignallingClient.connect(vertx, server.actualPort(), "/app/stream")) {
            assertEquals("pong", player.next().getString("command"));
        } finally {
            server.close();
        }
    }
}
