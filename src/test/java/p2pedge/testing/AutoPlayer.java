package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A synthetic player that plays its part on its own, with fake SDP: it asks for the stream, offers to the
 * clients the edge gives it, answers its host's offer, and asks again when its host leaves. Used by churn
 * tests, which then compare what the players believe with what the registry says.
 */
public final class AutoPlayer implements AutoCloseable {

    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

    private final WebSocketClient client;
    private final ClientWebSocket socket;
    private final Set<Long> clients = new HashSet<>();
    /** When each client was announced to this player as host (nanoTime), for placement latency. */
    private final java.util.Map<Long, Long> requestedAtNanos = new java.util.HashMap<>();
    private long askedAtNanos;
    private long servedAtNanos;
    private long id;
    private long host = -1; // -1: not placed yet, 0: the edge, else the host peer
    private boolean closed;
    /** Closing: a stop from its host, in flight meanwhile, is not a reason to ask again (and give up at once). */
    private boolean leaving;

    private AutoPlayer(WebSocketClient client, ClientWebSocket socket) {
        this.client = client;
        this.socket = socket;
    }

    /** A desktop Chrome on Windows: a player every policy lets host. */
    public static final String CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";

    /**
     * Joins one host and then {@code clients} players placed on it (with a policy that registers hosts on offer,
     * e.g. {@code ome}), into {@code players}, host first; fails if any lands elsewhere.
     */
    public static AutoPlayer hostWithClients(Vertx vertx, int port, int clients, java.util.List<AutoPlayer> players) throws Exception {
        AutoPlayer host = join(vertx, port, CHROME_UA);
        players.add(host);
        Waits.until(() -> host.host() == 0, 5_000, "the first player is served by the edge");
        for (int i = 0; i < clients; i++) {
            AutoPlayer client = join(vertx, port, CHROME_UA);
            players.add(client);
            Waits.until(() -> client.host() == host.id(), 5_000, "a client of the first player");
        }
        return host;
    }

    public static AutoPlayer join(Vertx vertx, int port, String userAgent) throws Exception {
        return join(vertx.createWebSocketClient(), true, "127.0.0.1", port, userAgent);
    }

    /** A player of the edge at {@code host} (the lab's edges). */
    public static AutoPlayer join(Vertx vertx, String host, int port, String userAgent) throws Exception {
        return join(vertx.createWebSocketClient(), true, host, port, userAgent);
    }

    /** A player on a shared client (load: thousands of players); the client stays open when the player closes. */
    public static AutoPlayer join(WebSocketClient shared, int port, String userAgent) throws Exception {
        return join(shared, false, "127.0.0.1", port, userAgent);
    }

    private static AutoPlayer join(WebSocketClient client, boolean ownsClient, String host, int port, String userAgent)
            throws Exception {
        ClientWebSocket socket = client.webSocket();
        AutoPlayer player = new AutoPlayer(ownsClient ? client : null, socket);
        socket.textMessageHandler(text -> player.onMessage(new JsonObject(text)));
        socket.closeHandler(v -> {
            synchronized (player) {
                player.closed = true;
            }
        });
        socket.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/app/stream")
                .addHeader("User-Agent", userAgent)).await(10, TimeUnit.SECONDS);
        player.ask();
        return player;
    }

    private synchronized void ask() {
        askedAtNanos = System.nanoTime();
        send(new JsonObject().put("command", "request_offer"));
    }

    private synchronized void onMessage(JsonObject message) {
        String command = message.getString("command", "");
        long peer = message.getLong("peer_id", 0L);
        switch (command) {
            case "offer" -> {
                id = message.getLong("id");
                host = peer;
                servedAtNanos = System.nanoTime();
                if (peer != 0) {
                    send(new JsonObject().put("command", "answer").put("id", id).put("peer_id", peer)
                            .put("sdp", new JsonObject().put("type", "answer").put("sdp", SDP)));
                }
            }
            case "request_offer_p2p" -> {
                id = message.getLong("id");
                clients.add(peer);
                requestedAtNanos.put(peer, System.nanoTime());
                send(new JsonObject().put("command", "offer_p2p").put("id", id).put("peer_id", peer)
                        .put("sdp", new JsonObject().put("type", "offer").put("sdp", SDP)));
            }
            case "stop" -> {
                if (clients.remove(peer)) {
                    return;
                }
                if (peer == host && !leaving) {
                    host = -1;
                    ask();
                }
            }
            default -> { }
        }
    }

    private void send(JsonObject message) {
        socket.writeTextMessage(message.encode());
    }

    public synchronized long id() {
        return id;
    }

    /** The host peer it plays from, 0 for the edge, -1 while it waits. */
    public synchronized long host() {
        return host;
    }

    /** nanoTime of its last request_offer, and of the last offer it got. */
    public synchronized long askedAtNanos() {
        return askedAtNanos;
    }

    public synchronized long servedAtNanos() {
        return servedAtNanos;
    }

    /** nanoTime at which this host was asked to offer to {@code clientId}, or null. */
    public synchronized Long requestedAtNanos(long clientId) {
        return requestedAtNanos.get(clientId);
    }

    public synchronized Set<Long> clients() {
        return Set.copyOf(clients);
    }

    public synchronized boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            leaving = true;
        }
        socket.close();
        if (client != null) {
            client.close();
        }
    }
}
