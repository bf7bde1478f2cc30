package p2pedge.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2pedge.testing.TestEdge;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on both HTTP ports ({@code signalling.tls}, {@code metrics.tls}) with the certificate the edge makes on request:
 * HTTPS and WSS work for a client that trusts it, a client that does not is refused, plain HTTP gets nothing, and a
 * connection that never finishes its handshake is cut within the header timeout.
 */
@ExtendWith(VertxExtension.class)
class TlsPortsTest {

    private static final int HEADER_TIMEOUT_SECONDS = 2;

    private static JsonObject tlsConfig(Path dir) {
        JsonObject tls = new JsonObject().put("enabled", true).put("selfSigned", true)
                .put("certFile", dir.resolve("cert.pem").toString()).put("keyFile", dir.resolve("key.pem").toString());
        return new JsonObject()
                .put("p2p", new JsonObject().put("policy", "ome"))
                .put("http", new JsonObject().put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS))
                .put("signalling", new JsonObject().put("tls", tls))
                .put("metrics", new JsonObject().put("tls", tls.copy()));
    }

    @Test
    void bothPortsSpeakHttpsAndWssWithTheMadeCertificate(Vertx vertx, @TempDir Path dir) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, tlsConfig(dir))) {
            PemTrustOptions trust = new PemTrustOptions().addCertPath(dir.resolve("cert.pem").toString());
            HttpClient https = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(trust));
            try {
                assertEquals("up", new JsonObject(get(https, edge.metricsPort(), "/health")).getString("status"), "operators' port");
                assertTrue(get(https, edge.port(), "/").contains("<html"), "the player page over HTTPS");
            } finally {
                https.close();
            }

            WebSocketClient wss = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustOptions(trust));
            try {
                CompletableFuture<JsonObject> first = new CompletableFuture<>();
                WebSocket socket = wss.connect(new WebSocketConnectOptions().setHost("localhost").setPort(edge.port())
                        .setURI("/app/stream")).await(10, TimeUnit.SECONDS);
                socket.textMessageHandler(text -> first.complete(new JsonObject(text)));
                socket.writeTextMessage(new JsonObject().put("command", "request_offer").encode()).await(5, TimeUnit.SECONDS);
                assertEquals("offer", first.get(15, TimeUnit.SECONDS).getString("command"), "signalling over WSS");
                socket.close().await(5, TimeUnit.SECONDS);
            } finally {
                wss.close();
            }

            // A client that does not trust the made certificate: the handshake fails, nothing is served.
            HttpClient untrusting = vertx.createHttpClient(new HttpClientOptions().setSsl(true));
            try {
                Exception refused = assertThrows(Exception.class, () -> get(untrusting, edge.metricsPort(), "/health"));
                assertTrue(String.valueOf(refused.getMessage()).toLowerCase().contains("certif")
                        || refused.getCause() != null, "a certificate error: " + refused);
            } finally {
                untrusting.close();
            }

            // Plain HTTP on a TLS port: no answer.
            HttpClient plain = vertx.createHttpClient();
            try {
                assertThrows(Exception.class, () -> get(plain, edge.port(), "/"), "plain HTTP gets no page");
            } finally {
                plain.close();
            }
        }
    }

    @Test
    void aConnectionThatNeverFinishesItsHandshakeIsCut(Vertx vertx, @TempDir Path dir) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, tlsConfig(dir))) {
            long bound = HEADER_TIMEOUT_SECONDS * 1000L + 2_500;
            for (int port : new int[]{edge.port(), edge.metricsPort()}) {
                // Silent after connecting, and the first bytes of a TLS record then silence.
                for (byte[] sent : new byte[][]{new byte[0], {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01}}) {
                    long millis = closedAfter(port, sent, bound);
                    assertTrue(millis >= 0 && millis <= bound, "port " + port + " after " + sent.length + " bytes: closed within "
                            + bound + " ms, was " + millis);
                }
            }
        }
    }

    private static String get(HttpClient client, int port, String path) throws Exception {
        return client.request(HttpMethod.GET, port, "localhost", path)
                .compose(request -> request.send().compose(response -> response.body()))
                .map(Buffer::toString).await(10, TimeUnit.SECONDS);
    }

    /** Milliseconds until the edge closes a connection that sent {@code bytes} and then nothing; -1 if still open. */
    private static long closedAfter(int port, byte[] bytes, long maxMillis) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            long start = System.nanoTime();
            socket.getOutputStream().write(bytes);
            socket.setSoTimeout((int) maxMillis);
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // an alert, then the close
                }
            } catch (SocketTimeoutException e) {
                return -1;
            } catch (java.io.IOException reset) {
                // closed by a reset
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
