package p2pedge.signalling;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.cluster.events.RemoteSlot;
import p2pedge.admission.PlayerAdmission;
import p2pedge.admission.Refused;
import p2pedge.config.EdgeConfig;
import p2pedge.config.EdgeConfig.P2pConsent;
import p2pedge.http.ConnectionGuard;
import p2pedge.net.PerAddressCap;
import p2pedge.media.MediaApi;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.protocol.EdgeMessages;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The signalling server: players' WebSockets at {@code /{app}/{stream}} speaking the OvenMediaEngine protocol,
 * and the player page over plain HTTP on the same port.
 */
public final class SignallingVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(SignallingVerticle.class.getName());
    /** The keep-alive runs in ticks this far apart, each over its share of the players (see KeepAliveRing). */
    private static final long KEEP_ALIVE_TICK_MILLIS = 100;

    private final EdgeConfig config;
    private final String edgeId;
    private final Map<Long, PlayerSession> sessions = new HashMap<>();
    private final SessionIds ids;
    private MediaApi media;
    private RelayCoordinator relays;
    private P2pApi p2p;
    private HttpServer server;
    private long keepAliveTimer;
    private KeepAliveRing<PlayerSession> keepAlive;
    private final EdgeMetrics metrics;
    private boolean draining;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private PerAddressCap sockets;
    private PerAddressCap pendingOffers;
    private ConnectionGuard guard;
    private PlayerAdmission admission;

    public SignallingVerticle(EdgeConfig config, String edgeId, SessionIds ids, EdgeMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.edgeId = edgeId;
        this.ids = ids;
    }

    /** The bound port (differs from the configured one when that is 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        EdgeConfig.Signalling s = config.signalling();
        admission = new PlayerAdmission(vertx, config.admission());
        media = new MediaApi(vertx.eventBus(), s.offerTimeoutSeconds() * 1000L);
        p2p = new P2pApi(vertx.eventBus(), 5_000);
        EdgeLink link = new EdgeLink(vertx.eventBus(), edgeId);
        relays = new RelayCoordinator(vertx, config.p2p(), p2p, link, sessions::get, metrics);
        var bus = vertx.eventBus();
        consumers.add(bus.<Long>localConsumer(MediaApi.CONNECTED, m -> relays.mediaConnected(m.body())));
        consumers.add(bus.<JsonObject>localConsumer(P2pApi.MOVED, m -> relays.moved(P2pApi.Moved.fromJson(m.body()))));
        consumers.add(bus.<JsonObject>localConsumer(P2pApi.SHED, m -> relays.shed(P2pApi.Shed.fromJson(m.body()))));
        consumers.add(bus.localConsumer(SignallingApi.PEERS, m -> replyWith(m, p2p.hosts().map(this::peers))));
        consumers.add(bus.localConsumer(SignallingApi.DRAIN, m -> replyWith(m, drain())));
        consumers.add(bus.localConsumer(SignallingApi.PLAYERS,
                m -> replyWith(m, p2p.hosts().map(hosts -> snapshotOf(hosts).toJson()))));
        consumers.add(link.listen(relays::onEdgeMessage));
        consumers.add(bus.<String>localConsumer(ClusterEvents.EDGE_LEFT, m -> {
            relays.edgeLeft(m.body());
            ids.purgeEdge(m.body());
        }));
        consumers.add(bus.<String>localConsumer(ClusterEvents.EDGE_JOINED, m -> relays.edgeJoined(m.body())));
        consumers.add(bus.<JsonObject>localConsumer(ClusterEvents.SLOT_GRANTED, m -> relays.slotGranted(RemoteSlot.fromJson(m.body()))));
        consumers.add(bus.<JsonObject>localConsumer(ClusterEvents.SLOT_RELEASED, m -> relays.slotReleased(RemoteSlot.fromJson(m.body()))));
        consumers.add(bus.<JsonObject>localConsumer(MediaApi.CONNECTION_LOST, m -> {
            MediaApi.ConnectionLost lost = MediaApi.ConnectionLost.fromJson(m.body());
            PlayerSession session = sessions.get(lost.session());
            if (session != null) {
                session.onEdgeConnectionLost(lost.code(), lost.reason());
            }
        }));
        Router router = Router.router(vertx);
        router.get("/p2p/stun").handler(this::stunServers);
        router.get("/api/p2p").handler(ctx -> p2pStatus().onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.json(ar.result());
            } else {
                ctx.fail(500, ar.cause());
            }
        }));
        if (config.whip().enabled()) {
            new WhipWhepEndpoint(config.whip(), media, metrics, admission).mount(router);
        }
        router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
        sockets = new PerAddressCap(s.maxSocketsPerAddress());
        pendingOffers = new PerAddressCap(s.maxPendingOffersPerAddress());
        guard = new ConnectionGuard(vertx, config.http(), "signalling", metrics);
        // Netty refuses a larger frame from its header, before buffering it; the session answers that, and a
        // message that outgrows the limit over several frames (MessageAssembler), with the protocol's 413 error.
        HttpServerOptions options = guard.configure(new HttpServerOptions(), s.tls())
                .setHost(s.host())
                .setPort(s.port())
                .setMaxWebSocketFrameSize(s.maxFrameBytes())
                .setMaxWebSocketMessageSize(s.maxFrameBytes())
                // A player that ignores our close frame must not hold its socket for Netty's default 10 s.
                .setWebSocketClosingTimeout(2)
                // Browsers offer permessage-deflate, and Vert.x accepts it by default: a zlib deflater kept per
                // socket for messages of a kilobyte or two (about 120 KB of native memory per player and nearly four
                // times the CPU per join: bench/signalling.sh with OFFER_DEFLATE=1), and every message compressed in
                // one context with what peers relay through it. Plain frames instead.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Signalling messages are small: a fixed kernel send buffer (no autotuning to megabytes) bounds
                // what a player that does not read can hold, and lets its write queue fill, so it is closed.
                .setSendBufferSize(64 * 1024)
                // Every request and socket of this server is handled on this verticle's one event loop: its HTTP
                // connections then write straight to the channel instead of through a queue made for other threads,
                // whose first 4 KB chunk each player's WebSocket kept through its upgrade request (bench/signalling.sh).
                .setStrictThreadMode(true);
        keepAlive = new KeepAliveRing<>((int) (s.pingIntervalSeconds() * 1000L / KEEP_ALIVE_TICK_MILLIS));
        keepAliveTimer = vertx.setPeriodic(KEEP_ALIVE_TICK_MILLIS, t -> keepAlive());
        server = guard.install(vertx.createHttpServer(options))
                .webSocketHandler(this::accept)
                .requestHandler(guard.requests(router));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
                .compose(v -> server.listen())
                .onSuccess(srv -> LOG.info("signalling listening on " + s.host() + ":" + srv.actualPort()));
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(keepAliveTimer);
        int open = sessions.size();
        new ArrayList<>(sessions.values()).forEach(PlayerSession::shutdown);
        sessions.clear();
        LOG.info(() -> "signalling stopped, closed " + open + " player session(s)");
        List<Future<Void>> closing = new ArrayList<>(consumers.stream().map(MessageConsumer::unregister).toList());
        closing.add(server.close());
        return Future.all(closing);
    }

    /** Answers an event-bus request with what {@code result} completes with, or fails it with a 500. */
    private static void replyWith(Message<?> message, Future<?> result) {
        result.onComplete(ar -> {
            if (ar.succeeded()) {
                message.reply(ar.result());
            } else {
                message.fail(500, ar.cause().getMessage());
            }
        });
    }

    /** This edge's players: id, stream, role, the host of a client, the clients of a host (from the registry). */
    private JsonArray peers(JsonArray hosts) {
        Map<Long, JsonArray> clientsOf = new HashMap<>();
        for (Object o : hosts) {
            JsonObject host = (JsonObject) o;
            clientsOf.put(host.getLong("host"), host.getJsonArray("clients"));
        }
        JsonArray out = new JsonArray();
        for (PlayerSession session : sessions.values()) {
            JsonObject peer = new JsonObject().put("id", session.id()).put("stream", session.stream()).put("edge", edgeId)
                    .put("role", session.role() == null ? null : session.role().name().toLowerCase(Locale.ROOT))
                    .put("userAgent", session.userAgent());
            relays.hostOf(session.id()).ifPresent(host -> peer.put("host", host));
            if (session.reportedFreezes() >= 0) {
                peer.put("freezes", session.reportedFreezes());
            }
            JsonArray clients = clientsOf.get(session.id());
            if (clients != null) {
                peer.put("clients", clients);
            }
            out.add(peer);
        }
        return out;
    }

    /**
     * Before shutdown: new players are refused (503), no player here becomes a Host Peer any more, and the hosts
     * here stop hosting: each is told to stop relaying and its clients are placed again at once (on hosts of
     * other edges, or served by their own edge). The hosts themselves keep playing from this edge.
     */
    private Future<JsonObject> drain() {
        draining = true;
        List<PlayerSession> hosts = sessions.values().stream()
                .filter(s -> s.isOpen() && s.role() == P2pApi.Role.HOST).toList();
        return p2p.drain()
                .compose(v -> Future.all(hosts.stream().map(relays::withdraw).toList()))
                .map(all -> {
                    int moved = all.<Integer>list().stream().mapToInt(Integer::intValue).sum();
                    LOG.info(() -> "draining: " + hosts.size() + " host(s) withdrawn, " + moved + " client(s) placed again");
                    return new JsonObject().put("draining", true).put("hostsWithdrawn", hosts.size()).put("clientsMoved", moved);
                });
    }

    /** This edge's players by role and stream, and its hosts by number of clients. */
    private PlayerSnapshot snapshotOf(JsonArray hosts) {
        Map<String, Integer> byRole = new TreeMap<>();
        Map<String, int[]> byStream = new TreeMap<>();
        for (PlayerSession session : sessions.values()) {
            if (session.role() != null) {
                String role = session.role().name().toLowerCase(Locale.ROOT);
                byRole.merge(role, 1, Integer::sum);
                int[] counts = byStream.computeIfAbsent(session.stream(), s -> new int[2]);
                counts[0]++;
                counts[1] += session.role() == P2pApi.Role.CLIENT ? 1 : 0;
            }
        }
        Map<Integer, Integer> hostsByClients = new TreeMap<>();
        for (Object o : hosts) {
            JsonObject host = (JsonObject) o;
            if (edgeId.equals(host.getString("edge"))) {
                hostsByClients.merge(host.getJsonArray("clients").size(), 1, Integer::sum);
            }
        }
        Map<String, PlayerSnapshot.StreamPlayers> streams = new TreeMap<>();
        byStream.forEach((name, c) -> streams.put(name, new PlayerSnapshot.StreamPlayers(c[0], c[1])));
        return new PlayerSnapshot(byRole, streams, hostsByClients);
    }

    /**
     * What P2P does on this edge right now: viewers by role, the offload ratio (viewers served by peers / all
     * viewers) and placement counters. Public (the signalling port): aggregate figures only; session ids and the
     * hosts with their clients are for operators, behind the admin token ({@code /admin/hosts}, {@code /admin/peers}).
     */
    private Future<JsonObject> p2pStatus() {
        return p2p.hosts().map(hosts -> {
            PlayerSnapshot players = snapshotOf(hosts);
            return new JsonObject()
                    .put("viewers", players.players())
                    .put("byRole", new JsonObject(new HashMap<>(players.byRole())))
                    .put("offloadRatio", players.offloadRatio())
                    .put("counters", relays.counters());
        });
    }

    /** What a socket holds: a place in its address's socket cap once admitted, its session once open. */
    private static final class Accepted {
        String address;
        PlayerSession session;
    }

    /** The edge's STUN servers for the player page's P2P legs and NAT probe: {"iceServers": [{"urls": [...]}]}. */
    private void stunServers(RoutingContext ctx) {
        media.stunServers().onComplete(ar -> {
            List<String> urls = ar.succeeded() ? ar.result() : List.of();
            JsonArray servers = urls.isEmpty() ? new JsonArray()
                    : new JsonArray().add(new JsonObject().put("urls", new JsonArray(urls)));
            ctx.json(new JsonObject().put("iceServers", servers));
        });
    }

    private void accept(ServerWebSocket socket) {
        SocketAddress remote = socket.remoteAddress();
        guard.upgraded(remote);
        if (socket.isClosed()) {
            guard.closed(remote);
            return;
        }
        // Before anything else, and before any asynchronous step: a socket closed (or reset) at any point must
        // give back all it holds.
        Accepted accepted = new Accepted();
        socket.exceptionHandler(t -> onSocketException(socket, accepted, t));
        socket.closeHandler(v -> {
            guard.closed(remote);
            if (accepted.address != null) {
                sockets.release(accepted.address);
            }
            PlayerSession session = accepted.session;
            if (session != null) {
                media.stunAdmission(accepted.address, false);
                try {
                    session.onClosed();
                } finally {
                    // Whatever went wrong in the goodbye, the session and its id never outlive the socket.
                    sessions.remove(session.id());
                    keepAlive.remove(session);
                    ids.release(session.id());
                }
            }
        });
        String stream = StreamPath.parse(socket.path()).orElse(null);
        if (stream == null) {
            rejectAfterHandshake(socket, 404, "signalling URL must be /{app}/{stream}");
            return;
        }
        if (draining) {
            rejectAfterHandshake(socket, 503, "edge is draining: connect to another edge");
            return;
        }
        String address = PerAddressCap.addressOf(remote);
        if (!sockets.tryAcquire(address)) {
            metrics.refused("signalling", "sockets_per_address");
            rejectAfterHandshake(socket, 429, "too many connections from your address (at most " + sockets.cap() + ")");
            return;
        }
        accepted.address = address;
        // Accept first so that the player reads a protocol error, not a failed handshake.
        socket.pause();
        // The token before anything else: without one, not even whether the stream exists is told.
        admission.admit(PlayerAdmission.tokenOf(socket.query(), socket.headers().get(HttpHeaders.AUTHORIZATION)), stream, address)
                .onComplete(admitted -> {
                    if (socket.isClosed()) {
                        return;
                    }
                    if (admitted.failed()) {
                        Refused refused = Refused.of(admitted.cause());
                        metrics.admissionRefused(refused.reason());
                        rejectAfterHandshake(socket, refused.code(), refused.getMessage());
                        return;
                    }
                    openIfStreamExists(socket, stream, address, accepted, admitted.result().p2p());
                });
    }

    private void openIfStreamExists(ServerWebSocket socket, String stream, String address, Accepted accepted, P2pConsent consent) {
        media.streamExists(stream).onComplete(ar -> {
            if (socket.isClosed()) {
                return;
            }
            if (ar.failed() || !ar.result()) {
                rejectAfterHandshake(socket, 404, "stream " + stream + " not found");
                return;
            }
            ids.allocate().onComplete(id -> {
                if (socket.isClosed()) {
                    if (id.succeeded()) {
                        ids.release(id.result());
                    }
                } else if (id.failed()) {
                    rejectAfterHandshake(socket, 503, "no session id: " + id.cause().getMessage());
                } else {
                    open(socket, stream, id.result(), address, accepted, consent);
                }
            });
        });
    }

    private void open(ServerWebSocket socket, String stream, long id, String address, Accepted accepted, P2pConsent consent) {
        PlayerSession session = new PlayerSession(id, stream, socket.headers().get("User-Agent"), consent, socket, config,
                media, relays, metrics, new PendingOffer(pendingOffers, address));
        accepted.session = session;
        sessions.put(id, session);
        keepAlive.add(session);
        // While it holds this socket, the player's address may use the edge's STUN (see PlayerStun).
        media.stunAdmission(address, true);
        MessageAssembler messages = new MessageAssembler(config.signalling().maxFrameBytes(), new MessageAssembler.Sink() {
            @Override
            public void text(String message) {
                session.onText(message);
            }

            @Override
            public void binary() {
                session.onBinary();
            }

            @Override
            public void tooLarge() {
                session.heard();
                session.tooLarge();
            }
        });
        socket.frameHandler(messages::onFrame);
        socket.pongHandler(b -> session.heard());
        socket.resume();
    }

    /** A frame over the limit is refused by Netty's decoder, which then closes: answer it first, as for a smaller one. */
    private void onSocketException(ServerWebSocket socket, Accepted accepted, Throwable t) {
        boolean tooLarge = t instanceof CorruptedWebSocketFrameException corrupted
                && corrupted.closeStatus() != null
                && corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
        if (!tooLarge) {
            LOG.fine(() -> "socket " + socket.remoteAddress() + ": " + t);
        } else if (accepted.session != null) {
            accepted.session.tooLarge();
        } else if (!socket.isClosed()) {
            String reason = "message larger than " + config.signalling().maxFrameBytes() + " bytes";
            metrics.signallingError(413);
            socket.writeTextMessage(EdgeMessages.error(413, reason));
            socket.close(PlayerSession.CLOSE_TOO_BIG, reason);
        }
    }

    private void rejectAfterHandshake(ServerWebSocket socket, int code, String message) {
        metrics.signallingError(code);
        socket.writeTextMessage(EdgeMessages.error(code, message))
                .eventually(() -> socket.close(PlayerSession.CLOSE_POLICY, message.length() > 100 ? message.substring(0, 100) : message));
    }

    /** This tick's share of the sessions: ping the live, drop the silent (each session once per ping interval). */
    private void keepAlive() {
        long idleNanos = TimeUnit.SECONDS.toNanos(config.signalling().idleTimeoutSeconds());
        long now = System.nanoTime();
        keepAlive.tick(session -> {
            if (now - session.lastHeardNanos() > idleNanos) {
                session.closeIdle();
            } else {
                session.ping();
            }
        });
    }
}
