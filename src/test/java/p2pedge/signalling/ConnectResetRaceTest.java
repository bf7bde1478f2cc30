package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sockets reset (TCP RST) right after the WebSocket upgrade, while the edge is still looking up the stream and
 * the session id, must leave no player session behind (issue 12, item 5).
 */
@ExtendWith(VertxExtension.class)
class ConnectResetRaceTest {

    private static final int SOCKETS = 200;

    @Test
    void twoHundredConnectThenResetSocketsLeaveNoSessionBehind(Vertx vertx) throws Exception {
        // The ome policy spares the edge the user-agent parser's start-up; the race is before any placement.
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("p2p", new JsonObject().put("policy", "ome")))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            int[] resets = new int[3];
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int i = 0; i < SOCKETS; i++) {
                    int moment = i % 3;
                    done.add(pool.submit(() -> connectThenReset(edge.port(), moment)));
                }
                for (Future<Integer> f : done) {
                    resets[f.get(30, TimeUnit.SECONDS)]++;
                }
            } finally {
                pool.shutdownNow();
            }
            // The sweeps (ping every pingIntervalSeconds) have had their chance too.
            long settle = edge.config().signalling().pingIntervalSeconds() * 1000L + 2_000;
            try {
                Waits.until(() -> peers(vertx).isEmpty(), settle, "no player session left");
            } catch (AssertionError e) {
                throw new AssertionError(peers(vertx).size() + " of " + SOCKETS + " reset sockets left a session: " + peers(vertx), e);
            }
            edge.awaitMediaConnections(0, 5_000);
            System.out.printf("%d sockets reset (after the upgrade request %d, after the 101 %d, after request_offer %d): no session left%n",
                    SOCKETS, resets[0], resets[1], resets[2]);
            try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                player.requestOffer();
                assertEquals(1, peers(vertx).size());
            }
        }
    }

    private static JsonArray peers(Vertx vertx) throws Exception {
        return vertx.eventBus().<JsonArray>request(SignallingApi.PEERS, null).await(5, TimeUnit.SECONDS).body();
    }

    /**
     * A WebSocket handshake by hand, then a reset at {@code moment}: 0 right after the upgrade request, 1 after the
     * 101 response, 2 after a request_offer frame. Returns the moment.
     */
    private static int connectThenReset(int port, int moment) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /app/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (moment >= 1) {
                readResponseHead(socket.getInputStream());
            }
            if (moment == 2) {
                out.write(maskedTextFrame("{\"command\":\"request_offer\"}"));
                out.flush();
            }
            socket.setSoLinger(true, 0); // close() sends RST
        }
        return moment;
    }

    private static void readResponseHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the response head");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length); // payloads under 126 bytes
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
