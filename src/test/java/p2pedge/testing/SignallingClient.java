package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A synthetic player: a real WebSocket to the edge, read and written from the test thread. */
public final class SignallingClient implements AutoCloseable {

    public record Closed(Short code, String reason) {
    }

    private final WebSocketClient client;
    private final ClientWebSocket socket;
    private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    /** Null unless the player plays from another source address. */
    private final AddressForwarder forwarder;

    private SignallingClient(WebSocketClient client, ClientWebSocket socket, AddressForwarder forwarder) {
        this.client = client;
        this.socket = socket;
        this.forwarder = forwarder;
        // Handlers go on before connecting: the edge may speak (and close) right after the handshake.
        socket.textMessageHandler(text -> inbox.add(new JsonObject(text)));
        socket.closeHandler(v -> closed.complete(new Closed(socket.closeStatusCode(), socket.closeReason())));
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
        AddressForwarder forwarder = sourceAddress == null ? null : AddressForwarder.start(sourceAddress, port);
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(forwarder == null ? port : forwarder.port()).setURI(path);
        if (userAgent != null) {
            options.addHeader("User-Agent", userAgent);
        }
        ClientWebSocket socket = client.webSocket();
        SignallingClient signalling = new SignallingClient(client, socket, forwarder);
        socket.connect(options).await(10, TimeUnit.SECONDS);
        return signalling;
    }

    public void send(JsonObject message) throws Exception {
        sendText(message.encode());
    }

    public void sendText(String text) throws Exception {
        socket.writeTextMessage(text).await(10, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] bytes) throws Exception {
        socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(bytes)).await(10, TimeUnit.SECONDS);
    }

    /** One text message as {@code pieces} frames (a text frame and continuations). */
    public void sendFragmented(String text, int pieces) throws Exception {
        int step = (text.length() + pieces - 1) / pieces;
        for (int i = 0; i < pieces; i++) {
            String part = text.substring(Math.min(text.length(), i * step), Math.min(text.length(), (i + 1) * step));
            boolean last = i == pieces - 1;
            io.vertx.core.http.WebSocketFrame frame = i == 0
                    ? io.vertx.core.http.WebSocketFrame.textFrame(part, last)
                    : io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(part), last);
            try {
                socket.writeFrame(frame).await(10, TimeUnit.SECONDS);
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
        socket.writeTextMessage(text);
    }

    /** The next message, or an AssertionError after the timeout. */
    public JsonObject next(Duration timeout) throws InterruptedException {
        JsonObject message = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message from the edge within " + timeout.toMillis() + " ms");
        }
        return message;
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
        JsonObject message = inbox.poll(duration.toMillis(), TimeUnit.MILLISECONDS);
        if (message != null) {
            throw new AssertionError("expected nothing, got " + message.encode());
        }
    }

    /** Messages already received and not yet read (does not wait). */
    public JsonObject poll() {
        return inbox.poll();
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
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.close();
        }
        client.close();
        if (forwarder != null) {
            forwarder.close();
        }
    }
}
