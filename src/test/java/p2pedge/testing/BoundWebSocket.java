package p2pedge.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A minimal WebSocket client (RFC 6455: text, binary, fragments, ping/pong, close; no extensions) from a chosen
 * local address, to play players from another address on loopback: Vert.x 5.1's WebSocket client ignores
 * {@code setLocalAddress}, its TCP client does not. Answers pings like a browser (the squatter's keep-alive).
 * It reads from the first byte after the upgrade, so an edge that answers and closes at once (a 404 for an unknown
 * stream) is read whole: Vert.x 5.1's client may fail its connect when the close is handled before its callback.
 */
public final class BoundWebSocket {

    private final NetSocket socket;
    /** The connection's context: every write and close runs there (Vert.x writes from another thread race its close). */
    private final Context context;
    private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private Buffer pending = Buffer.buffer();
    /** The text message being reassembled from fragments, or null. */
    private Buffer fragments;
    private volatile Handler<JsonObject> messageHandler;
    private volatile Handler<Short> closeHandler;

    private BoundWebSocket(NetSocket socket, Context context) {
        this.socket = socket;
        this.context = context;
    }

    /** A TCP client whose connections come from {@code localAddress}; share one among many sockets. */
    public static NetClient client(Vertx vertx, String localAddress) {
        return vertx.createNetClient(new NetClientOptions().setLocalAddress(localAddress).setConnectTimeout(10_000));
    }

    /** Connects and upgrades to {@code ws://127.0.0.1:port/path}; fails if the edge refuses or closes. */
    public static Future<BoundWebSocket> connect(NetClient client, int port, String path) {
        return connect(client, port, path, null);
    }

    /** The same, with a {@code User-Agent} header unless null. */
    public static Future<BoundWebSocket> connect(NetClient client, int port, String path, String userAgent) {
        return client.connect(port, "127.0.0.1").compose(socket -> {
            BoundWebSocket ws = new BoundWebSocket(socket, Vertx.currentContext());
            Promise<BoundWebSocket> upgraded = Promise.promise();
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            socket.handler(data -> ws.onData(data, upgraded));
            socket.closeHandler(v -> {
                upgraded.tryFail("closed before the upgrade");
                ws.onClosed((short) 1006);
            });
            socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            return upgraded.future();
        });
    }

    /** Connects from the test thread. */
    public static BoundWebSocket connectNow(NetClient client, int port, String path) throws Exception {
        return connect(client, port, path).await(10, TimeUnit.SECONDS);
    }

    /** Every message from the edge, on the socket's context (instead of the inbox). */
    public BoundWebSocket messageHandler(Handler<JsonObject> handler) {
        this.messageHandler = handler;
        return this;
    }

    /** The close code (1006 when the TCP connection just ended), once. */
    public BoundWebSocket closeHandler(Handler<Short> handler) {
        this.closeHandler = handler;
        if (closed.isDone()) {
            handler.handle(closed.join());
        }
        return this;
    }

    public Future<Void> send(JsonObject message) {
        return sendText(message.encode());
    }

    public Future<Void> sendText(String text) {
        return sendFrame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
    }

    public Future<Void> sendBinary(byte[] bytes) {
        return sendFrame(0x2, true, bytes);
    }

    /** One frame as given: {@code opcode} 0 continues a fragmented message; {@code fin} ends it. */
    public Future<Void> sendFrame(int opcode, boolean fin, byte[] payload) {
        return onContext(() -> socket.write(frame(opcode, fin, payload)));
    }

    /** The next message (when no handler takes them), or an AssertionError after the timeout. */
    public JsonObject next(Duration timeout) throws InterruptedException {
        JsonObject message = poll(timeout);
        if (message == null) {
            throw new AssertionError("no message from the edge within " + timeout.toMillis() + " ms");
        }
        return message;
    }

    /** A message already received and not yet read, or null (does not wait). */
    public JsonObject poll() {
        return inbox.poll();
    }

    /** The next message within the timeout, or null. */
    public JsonObject poll(Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public JsonObject requestOffer() throws Exception {
        send(new JsonObject().put("command", "request_offer")).await(10, TimeUnit.SECONDS);
        JsonObject offer = next(Duration.ofSeconds(10));
        if (!"offer".equals(offer.getString("command"))) {
            throw new AssertionError("expected an offer, got " + offer.encode());
        }
        return offer;
    }

    public short awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The reason the edge gave in its close frame, or null. */
    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public Future<Void> close() {
        return onContext(socket::close);
    }

    /** A close frame (1000, normal) and then the connection closed, as a browser leaves. */
    public Future<Void> closeNormally() {
        if (closed.isDone()) {
            return onContext(socket::close);
        }
        return onContext(() -> socket.write(frame(0x8, true, new byte[]{0x03, (byte) 0xE8})).eventually(socket::close));
    }

    private <T> Future<T> onContext(Supplier<Future<T>> action) {
        if (Vertx.currentContext() == context) {
            return action.get();
        }
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(done));
        return done.future();
    }

    private void onData(Buffer data, Promise<BoundWebSocket> upgraded) {
        pending.appendBuffer(data);
        if (!upgraded.future().isComplete()) {
            String head = pending.toString(StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            if (!head.startsWith("HTTP/1.1 101")) {
                upgraded.tryFail("upgrade refused: " + head.substring(0, head.indexOf("\r\n")));
                socket.close();
                return;
            }
            pending = pending.getBuffer(end + 4, pending.length());
            upgraded.tryComplete(this);
        }
        readFrames();
    }

    /** Server frames are unmasked; control frames and small text frames are all the edge sends. */
    private void readFrames() {
        while (pending.length() >= 2) {
            boolean fin = (pending.getByte(0) & 0x80) != 0;
            int opcode = pending.getByte(0) & 0x0F;
            int length = pending.getByte(1) & 0x7F;
            int offset = 2;
            if (length == 126) {
                if (pending.length() < 4) {
                    return;
                }
                length = pending.getUnsignedShort(2);
                offset = 4;
            } else if (length == 127) {
                if (pending.length() < 10) {
                    return;
                }
                length = (int) pending.getLong(2);
                offset = 10;
            }
            if (pending.length() < offset + length) {
                return;
            }
            Buffer payload = pending.getBuffer(offset, offset + length);
            pending = pending.getBuffer(offset + length, pending.length());
            switch (opcode) {
                case 0x1 -> {
                    if (fin) {
                        onText(payload);
                    } else {
                        fragments = payload.copy();
                    }
                }
                case 0x0 -> {
                    if (fragments != null) {
                        fragments.appendBuffer(payload);
                        if (fin) {
                            Buffer whole = fragments;
                            fragments = null;
                            onText(whole);
                        }
                    }
                }
                case 0x9 -> socket.write(frame(0xA, true, payload.getBytes()));
                case 0x8 -> {
                    short code = payload.length() >= 2 ? payload.getShort(0) : (short) 1005;
                    closeReason = payload.length() > 2 ? payload.getString(2, payload.length(), "UTF-8") : null;
                    socket.write(frame(0x8, true, payload.getBytes())).eventually(socket::close);
                    onClosed(code);
                }
                default -> {
                    // pong, binary: not sent by the edge
                }
            }
        }
    }

    private void onText(Buffer payload) {
        JsonObject message = new JsonObject(payload.toString(StandardCharsets.UTF_8));
        Handler<JsonObject> handler = messageHandler;
        if (handler != null) {
            handler.handle(message);
        } else {
            inbox.add(message);
        }
    }

    private void onClosed(short code) {
        if (closed.complete(code)) {
            Handler<Short> handler = closeHandler;
            if (handler != null) {
                handler.handle(code);
            }
        }
    }

    /** A masked client frame. */
    private static Buffer frame(int opcode, boolean fin, byte[] payload) {
        Buffer frame = Buffer.buffer(payload.length + 14).appendByte((byte) ((fin ? 0x80 : 0) | opcode));
        if (payload.length < 126) {
            frame.appendByte((byte) (0x80 | payload.length));
        } else if (payload.length < 65_536) {
            frame.appendByte((byte) (0x80 | 126)).appendUnsignedShort(payload.length);
        } else {
            frame.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.appendBytes(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame.appendBytes(masked);
    }
}
