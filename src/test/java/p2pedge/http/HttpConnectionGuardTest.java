package p2pedge.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.core.net.NetClient;
import p2pedge.testing.BoundWebSocket;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both HTTP ports (signalling and the operators') against connections that never make a request (issue 12,
 * item 4): a connection that has not sent a complete request head within {@code http.headerTimeoutSeconds} is
 * closed, however slowly it trickles bytes; one address holds at most {@code http.maxConnectionsPerAddress}.
 */
@ExtendWith(VertxExtension.class)
class HttpConnectionGuardTest {

    private static final int HEADER_TIMEOUT_SECONDS = 2;
    /** The ome policy spares each edge the user-agent parser's start-up (P2P plays no part here). */
    private static final JsonObject QUICK_START = new JsonObject().put("p2p", new JsonObject().put("policy", "ome"));
    /** Scheduling slack on a busy machine. */
    private static final long MARGIN_MILLIS = 2_500;

    @Test
    void silentHalfHeaderAndTricklingConnectionsAreClosedWithinTheHeaderTimeoutOnBothPorts(Vertx vertx) throws Exception {
        JsonObject config = QUICK_START.copy().put("http", new JsonObject().put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS));
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, config)) {
            Map<String, CompletableFuture<Long>> closes = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> port : Map.of("signalling", edge.port(), "metrics", edge.metricsPort()).entrySet()) {
                closes.put(port.getKey() + " silent", closedAfter(port.getValue(), "", 0));
                closes.put(port.getKey() + " half header", closedAfter(port.getValue(), "GET /health HTTP/1.1\r\nHost: edge\r\n", 0));
                closes.put(port.getKey() + " trickling", closedAfter(port.getValue(), "GET /health HTTP/1.1\r\nHost: edge\r\nX-Slow: " + "x".repeat(40), 200));
            }
            long bound = HEADER_TIMEOUT_SECONDS * 1000L + MARGIN_MILLIS;
            Map<String, Long> after = new LinkedHashMap<>();
            for (Map.Entry<String, CompletableFuture<Long>> close : closes.entrySet()) {
                after.put(close.getKey(), close.getValue().get(bound + 10_000, TimeUnit.MILLISECONDS));
            }
            System.out.println("closed after (ms; -1: still open after " + bound + " ms): " + after);
            after.forEach((what, millis) -> assertTrue(millis >= 0 && millis <= bound,
                    what + ": closed within " + bound + " ms, was " + millis + " (all: " + after + ")"));
            after.forEach((what, millis) -> assertTrue(millis >= HEADER_TIMEOUT_SECONDS * 1000L - 500,
                    what + ": not before the header timeout, was " + millis));
        }
    }

    /** The HTTP timeouts do not touch WebSockets: those have their own ping and idle logic. */
    @Test
    void anEstablishedWebSocketOutlivesTheHttpTimeouts(Vertx vertx) throws Exception {
        JsonObject config = QUICK_START.copy()
                .put("http", new JsonObject().put("headerTimeoutSeconds", 3).put("idleTimeoutSeconds", 3))
                .put("signalling", new JsonObject().put("pingIntervalSeconds", 1));
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, config);
             SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
            player.requestOffer();
            Thread.sleep(8_000);
            assertTrue(!player.isClosed(), "the socket is still open");
            player.roundTrip();
        }
    }

    /** One address past the shipped cap on either port is closed at once; the others are served. */
    @Test
    void oneAddressHoldsAtMostItsCapOfConnectionsOnEachPort(Vertx vertx) throws Exception {
        int cap = TestEdge.productionCaps().getJsonObject("http").getInteger("maxConnectionsPerAddress");
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, TestEdge.productionCaps().mergeIn(QUICK_START))) {
            for (int port : List.of(edge.port(), edge.metricsPort())) {
                List<Socket> held = new ArrayList<>();
                try {
                    for (int i = 0; i < cap; i++) {
                        held.add(open("127.0.0.6", port));
                    }
                    try (Socket over = open("127.0.0.6", port)) {
                        long closedAfter = readUntilClosed(over, 2_000, 0, "");
                        assertTrue(closedAfter >= 0, "the connection past the cap (" + cap + ") is closed at once, port " + port);
                    }
                    for (Socket socket : List.of(held.get(0), held.get(cap - 1))) {
                        assertEquals(-1, readUntilClosed(socket, 300, 0, ""), "connections within the cap stay open");
                    }
                    try (Socket other = open("127.0.0.7", port)) {
                        assertEquals(-1, readUntilClosed(other, 300, 0, ""), "another address is not affected");
                    }
                } finally {
                    for (Socket socket : held) {
                        socket.close();
                    }
                }
            }
            try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                player.requestOffer();
            }
        }
    }

    /** A WebSocket keeps its connection's place until it closes, and gives it back then. */
    @Test
    void closedWebSocketsGiveTheirAddressItsPlacesBack(Vertx vertx) throws Exception {
        int cap = TestEdge.productionCaps().getJsonObject("http").getInteger("maxConnectionsPerAddress");
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, TestEdge.productionCaps().mergeIn(QUICK_START))) {
            NetClient from = BoundWebSocket.client(vertx, "127.0.0.8");
            try {
                for (int i = 0; i < cap * 2; i++) {
                    BoundWebSocket socket = BoundWebSocket.connectNow(from, edge.port(), "/app/stream");
                    socket.send(new JsonObject().put("command", "ping")).await(5, TimeUnit.SECONDS);
                    // The first one waits for the media plane's lazy start (the SRTP library benchmarks AES on first use).
                    assertEquals("pong", socket.next(java.time.Duration.ofSeconds(30)).getString("command"), "socket " + i);
                    socket.close().await(5, TimeUnit.SECONDS);
                }
            } finally {
                from.close();
            }
        }
    }

    private static Socket open(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    /** Opens a connection, sends {@code head} (a byte per {@code pauseMillis} if not 0) and times its closing. */
    private static CompletableFuture<Long> closedAfter(int port, String head, long pauseMillis) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = open("127.0.0.1", port)) {
                return readUntilClosed(socket, HEADER_TIMEOUT_SECONDS * 1000L + MARGIN_MILLIS, pauseMillis, head);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Milliseconds until the edge closes {@code socket} (end of stream or reset), -1 if still open after
     * {@code maxMillis}; sends {@code head} first, trickled a byte per {@code pauseMillis} if not 0.
     */
    private static long readUntilClosed(Socket socket, long maxMillis, long pauseMillis, String head) throws IOException {
        long start = System.nanoTime();
        long deadline = start + maxMillis * 1_000_000;
        byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        InputStream in = socket.getInputStream();
        int sent = 0;
        try {
            if (pauseMillis == 0 && bytes.length > 0) {
                socket.getOutputStream().write(bytes);
                sent = bytes.length;
            }
            while (System.nanoTime() < deadline) {
                if (sent < bytes.length) {
                    socket.getOutputStream().write(bytes[sent++]);
                }
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                socket.setSoTimeout((int) (sent < bytes.length ? Math.min(pauseMillis, left) : left));
                try {
                    if (in.read() < 0) {
                        return (System.nanoTime() - start) / 1_000_000;
                    }
                } catch (SocketTimeoutException next) {
                    // nothing yet
                }
            }
            return -1;
        } catch (IOException reset) {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
