package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A synthetic player: a real WebSocket to the edge, read and written from the test thread. */
public final class SignallingClient implements AutoCloseable {

    public record Closed(Short code, String reason) {
    }

    private final NetClient client;
    private final BoundWebSocket socket;

    private SignallingClient(NetClient client, BoundWebSocket socket) {
        this.client = client;
        this.socket = socket;
    }

    public static SignallingClient connect(Vertx vertx, int port, String path) throws Exception {
        return connect(vertx, port, path, null);
    }

    public static SignallingClient connect(Vertx vertx, int port, String path, String userAgent) throws Exception {
        return connect(vertx, port, path, userAgent, null);
    }

    /**
     * From {@code sourceAddress} (a 127.x.y.z address, to play a player on another machine: the edge sees that
     * address), or from 127.0.0.1 when null.
     */
    public static SignallingClient connect(Vertx vertx, int port, String path, String userAgent, String sourceAddress) throws Exception {
        NetClient client = BoundWebSocket.client(vertx, sourceAddress == null ? "127.0.0.1" : sourceAddress);
        try {
            return new SignallingClient(client, BoundWebSocket.connect(client, port, path, userAgent).await(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    public void send(JsonObject message) throws Exception {
        sendText(message.encode());
    }

    public void sendText(String text) throws Exception {
        socket.sendText(text).await(10, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] bytes) throws Exception {
        socket.sendBinary(bytes).await(10, TimeUnit.SECONDS);
    }

    /** One text message as {@code pieces} frames (a text frame and continuations). */
    public void sendFragmented(String text, int pieces) throws Exception {
        int step = (text.length() + pieces - 1) / pieces;
        for (int i = 0; i < pieces; i++) {
            String part = text.substring(Math.min(text.length(), i * step), Math.min(text.length(), (i + 1) * step));
            try {
                socket.sendFrame(i == 0 ? 0x1 : 0x0, i == pieces - 1, part.getBytes(StandardCharsets.UTF_8)).await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (socket.isClosed()) {
                    return; // the edge closed it meanwhile: what the caller checks next
                }
                throw e;
            }
        }
    }

    /** Sends without waiting (floods). */
    public void sendTextNoWait(String text) {
        socket.sendText(text);
    }

    /** The next message, or an AssertionError after the timeout. */
    public JsonObject next(Duration timeout) throws InterruptedException {
        return socket.next(timeout);
    }

    public JsonObject next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** The next message, which must be {@code command}. */
    public JsonObject expect(String command) throws InterruptedException {
        JsonObject message = next();
        if (!command.equals(message.getString("command"))) {
            throw new AssertionError("expected " + command + ", got " + message.encode());
        }
        return message;
    }

    /** Asserts that nothing arrives for a while. */
    public void expectSilence(Duration duration) throws InterruptedException {
        JsonObject message = socket.poll(duration);
        if (message != null) {
            throw new AssertionError("expected nothing, got " + message.encode());
        }
    }

    /** Messages already received and not yet read (does not wait). */
    public JsonObject poll() {
        return socket.poll();
    }

    public JsonObject requestOffer() throws Exception {
        send(new JsonObject().put("command", "request_offer"));
        JsonObject offer = next();
        if (!"offer".equals(offer.getString("command"))) {
            throw new AssertionError("expected an offer, got " + offer.encode());
        }
        return offer;
    }

    /** Proves the socket is open and everything sent before was handled: a ping answered by a pong. */
    public void roundTrip() throws Exception {
        send(new JsonObject().put("command", "ping"));
        JsonObject reply = next();
        if (!"pong".equals(reply.getString("command"))) {
            throw new AssertionError("expected pong, got " + reply.encode());
        }
    }

    public Closed awaitClose(Duration timeout) throws Exception {
        short code = socket.awaitClose(timeout);
        return new Closed(code, socket.closeReason());
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        socket.closeNormally().eventually(client::close);
    }
}
