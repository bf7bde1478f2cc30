package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge pings players and drops the ones that fall silent, well before TCP would notice. */
@ExtendWith(VertxExtension.class)
class KeepAliveTest {

    @Test
    void silentPlayersAreDroppedAndLiveOnesKept(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("signalling",
                new JsonObject().put("pingIntervalSeconds", 1).put("idleTimeoutSeconds", 3)))) {
            // A raw TCP client that completes the WebSocket handshake and then never answers a ping.
            NetClient net = vertx.createNetClient();
            NetSocket raw = net.connect(edge.port(), "127.0.0.1").await(5, TimeUnit.SECONDS);
            Buffer received = Buffer.buffer();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            raw.handler(received::appendBuffer);
            raw.closeHandler(v -> closed.complete(null));
            raw.write("GET /app/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            // A live player: Vert.x answers pings with pongs on its own.
            try (SignallingClient live = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                closed.get(15, TimeUnit.SECONDS);
                String bytes = received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
                assertTrue(bytes.startsWith("HTTP/1.1 101"), bytes);
                assertTrue(bytes.indexOf((char) 0x89) > 0, "the edge sent ping frames");
                assertTrue(bytes.contains("\"code\":408"), "the edge said why: " + bytes);
                Thread.sleep(1_000);
                assertFalse(live.isClosed(), "a player that answers pings stays");
                live.roundTrip();
            }
            net.close();
        }
    }
}
