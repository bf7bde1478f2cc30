package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.TestEdge;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser's upgrade offers permessage-deflate (and Chrome's still names the older per-frame one's parameters);
 * the edge accepts neither, so no player's socket holds a compressor (see SignallingVerticle), and answers in plain
 * text frames.
 */
@ExtendWith(VertxExtension.class)
class WebSocketCompressionTest {

    @Test
    void anOfferOfCompressionIsDeclinedAndMessagesComeAsPlainText(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject());
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", edge.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /app/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = head(in);
            assertTrue(response.startsWith("HTTP/1.1 101"), response);
            assertFalse(response.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), "no extension accepted: " + response);
            out.write(maskedText("{\"command\":\"request_offer\"}"));
            out.flush();
            int first;
            int length;
            do { // control frames (a ping) may come first
                first = in.read();
                assertTrue((first & 0x70) == 0, "RSV1-3 clear: not compressed (first byte " + Integer.toHexString(first) + ")");
                length = in.read() & 0x7F;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                }
                if ((first & 0x0F) != 1) {
                    in.readNBytes(length);
                }
            } while ((first & 0x0F) != 1);
            String text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            assertTrue(new JsonObject(text).getString("command").equals("offer"), text);
        }
    }

    private static String head(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }
}
