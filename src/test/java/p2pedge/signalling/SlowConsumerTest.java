package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A player that asks and asks but never reads its socket: the edge stops buffering for it once its write queue is
 * full and closes it (counted as {@code slow_consumer}) and goes on serving others.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerTest {

    private static final int REQUESTS = 60_000;

    @Test
    void aPlayerThatNeverReadsIsClosedAndReleased(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject()
                .put("p2p", new JsonObject().put("enabled", false))
                .put("signalling", new JsonObject().put("messagesPerSecond", 100_000).put("messageBurst", 100_000)));
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // a small window, so the edge's side fills up soon
            socket.connect(new InetSocketAddress("127.0.0.1", edge.port()), 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /app/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readHandshake(socket.getInputStream());
            // Pings: each answered with a pong the player never reads.
            byte[] frame = maskedTextFrame("{\"command\":\"ping\"}");
            int sent = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            try {
                for (; sent < REQUESTS && System.currentTimeMillis() < deadline; sent++) {
                    out.write(frame);
                    if (sent % 1000 == 0 && Scrape.of(edge.metricsPort()).value("p2pedge_signalling_errors_total",
                            "code=\"slow_consumer\"") >= 1) {
                        break;
                    }
                }
            } catch (java.io.IOException closed) {
                // the edge closed the connection under us: what this test waits for
            }
            Waits.until(() -> Scrape.of(edge.metricsPort()).value("p2pedge_signalling_errors_total", "code=\"slow_consumer\"") == 1,
                    10_000, "the edge closed the player that does not read (after " + sent + " requests)");
            try (SignallingClient other = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                other.send(new JsonObject().put("command", "request_offer"));
                assertEquals("offer", other.next().getString("command"), "the edge still serves others");
            }
        }
    }

    private static void readHandshake(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("no handshake answer: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new AssertionError("handshake refused: " + head);
        }
    }

    /** A client frame: FIN + text, masked (zero mask: the payload goes as is). */
    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }
}
