package p2pedge.p2p;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Decides, for each request_offer, whether a player is served by the edge (and may host) or by a Host Peer,
 * and keeps the host registry. Talks only over the event bus.
 */
public final class PeerClassificationVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(PeerClassificationVerticle.class.getName());

    /** What classification remembers of a player between its requests. */
    private static final class Peer {
        final String stream;
        final PeerProfile profile;
        boolean registeredHost;
        boolean awaitingMedia;
        long hostOf;

        Peer(String stream, PeerProfile profile) {
            this.stream = stream;
            this.profile = profile;
        }
    }

    private final EdgeConfig.P2p config;
    private final String edgeId;
    private final HostRegistry registry;
    private final Map<Long, Peer> peers = new HashMap<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private ClassificationPolicy policy;
    private final HostReputation reputation;
    private final Set<String> departedEdges = ConcurrentHashMap.newKeySet();

    /** @param edgeId this edge's id in the cluster (any unique string when standalone) */
    public PeerClassificationVerticle(EdgeConfig.P2p config, String edgeId, HostRegistry registry) {
        this.config = config;
        this.edgeId = edgeId;
        this.registry = registry;
        this.reputation = new HostReputation(new HostReputation.Rules(config.maxHostFailures(), config.minFailureWitnesses(),
                config.witnessWindowSeconds() * 1000L, config.witnessesByAddress()), System::currentTimeMillis);
    }

    @Override
    public Future<?> start() {
        Future<ClassificationPolicy> created = config.policy().equals("ome")
                ? Future.succeededFuture(new OmePolicy(reputation))
                : vertx.executeBlocking(() -> new MeasuredPolicy(config.allowLinuxHosts(), reputation));
        return created.compose(p -> {
            policy = p;
            var bus = vertx.eventBus();
            consumers.add(bus.localConsumer(P2pApi.CLASSIFY, this::classify));
            consumers.add(bus.localConsumer(P2pApi.RELAY_RESULT, this::relayResult));
            consumers.add(bus.localConsumer(P2pApi.LEAVE, this::leave));
            consumers.add(bus.localConsumer(P2pApi.REPORT, this::report));
            consumers.add(bus.localConsumer(P2pApi.HOSTS, this::hosts));
            consumers.add(bus.localConsumer(P2pApi.DRAIN, m -> {
                draining = true;
                m.reply(null);
            }));
            consumers.add(bus.<Long>localConsumer(MediaApi.CONNECTED, m -> mediaConnected(m.body())));
            consumers.add(bus.<String>localConsumer(ClusterEvents.EDGE_LEFT, m -> edgeLeft(m.body())));
            LOG.info(() -> "P2P " + (config.enabled() ? "on" : "off") + ", policy " + policy.name()
                    + ", up to " + config.maxClientPeersPerHostPeer() + " clients per host");
            return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
    }

    @Override
    public Future<?> stop() {
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }

    /** Set by a drain: this edge takes no new Host Peers. */
    private boolean draining;

    private boolean p2pOn() {
        return config.enabled() && config.maxClientPeersPerHostPeer() > 0;
    }

    private void classify(Message<JsonObject> message) {
        JsonObject body = message.body();
        long session = body.getLong("session");
        String stream = body.getString("stream");
        Peer peer = peers.computeIfAbsent(session, s -> new Peer(stream, policy.profile(body.getString("userAgent"))));
        Future<Void> released = Future.succeededFuture();
        if (peer.hostOf != 0) {
            // A client asking again (its host left or failed): its old slot is free.
            released = registry.release(peer.hostOf, session).mapEmpty();
            peer.hostOf = 0;
        }
        Set<Long> excluded = new HashSet<>();
        body.getJsonArray("excluded", new JsonArray()).forEach(h -> excluded.add(((Number) h).longValue()));
        boolean mayBeClient = p2pOn() && !peer.registeredHost && !peer.awaitingMedia && !body.getBoolean("edgeOnly", false);
        released.compose(v -> mayBeClient
                        ? registry.reserve(stream, peer.profile.family(), session, edgeId, excluded,
                                h -> !departedEdges.contains(h.edgeId()) && policy.acceptsClients(h), policy::score)
                        : Future.succeededFuture(Optional.<HostEntry>empty()))
                .compose(host -> {
                    if (host.isPresent()) {
                        peer.hostOf = host.get().hostId();
                        return Future.succeededFuture(new P2pApi.Placement(P2pApi.Role.CLIENT, peer.hostOf,
                                host.get().edgeId(), peer.profile.summary()));
                    }
                    if (!p2pOn() || !peer.profile.mayHost() || draining) {
                        return Future.succeededFuture(new P2pApi.Placement(P2pApi.Role.EDGE, 0, edgeId, peer.profile.summary()));
                    }
                    Future<Void> registered = Future.succeededFuture();
                    if (policy.registersHostOnOffer()) {
                        registered = registerHost(session, peer);
                    } else if (!peer.registeredHost) {
                        peer.awaitingMedia = true;
                    }
                    return registered.map(v -> new P2pApi.Placement(P2pApi.Role.HOST, 0, edgeId, peer.profile.summary()));
                })
                .onSuccess(placement -> {
                    if (peers.get(session) != peer) {
                        undo(session, placement); // the player left while a shared registry was answering
                    }
                    message.reply(placement.toJson());
                })
                .onFailure(t -> message.fail(500, "classification failed: " + t.getMessage()));
    }

    /** Gives back what a placement took for a player that is already gone. */
    private void undo(long session, P2pApi.Placement placement) {
        Future<?> undone = switch (placement.role()) {
            case CLIENT -> registry.release(placement.hostId(), session);
            case HOST -> registry.unregister(session);
            case EDGE -> Future.succeededFuture();
        };
        undone.onFailure(t -> LOG.warning("session " + session + ": undoing a placement failed: " + t.getMessage()));
    }

    private Future<Void> registerHost(long session, Peer peer) {
        if (peer.registeredHost) {
            return Future.succeededFuture();
        }
        peer.registeredHost = true;
        peer.awaitingMedia = false;
        return registry.register(new HostEntry(session, edgeId, peer.stream, peer.profile.family(),
                config.maxClientPeersPerHostPeer(), Map.of(), HostHealth.NEW));
    }

    private void mediaConnected(long session) {
        Peer peer = peers.get(session);
        if (peer != null && peer.awaitingMedia && !draining) {
            registerHost(session, peer);
        }
    }

    private void relayResult(Message<JsonObject> message) {
        JsonObject body = message.body();
        long host = body.getLong("host");
        long client = body.getLong("client");
        P2pApi.RelayOutcome outcome = P2pApi.RelayOutcome.valueOf(body.getString("outcome"));
        String witness = reputation.witnessOf(body.getString("address"), client);
        HealthEvent event = switch (outcome) {
            case OFFERED -> HealthEvent.offered(body.getLong("millis"));
            case CONNECTED -> HealthEvent.relay(witness, true, reputation.now());
            case FAILED -> HealthEvent.relay(witness, false, reputation.now());
            case HOST_FAILED -> HealthEvent.hostFailed();
            case ABANDONED -> null;
        };
        Future<Void> done = event == null ? Future.succeededFuture() : registry.updateHealth(host, event);
        if (outcome == P2pApi.RelayOutcome.FAILED || outcome == P2pApi.RelayOutcome.HOST_FAILED
                || outcome == P2pApi.RelayOutcome.ABANDONED) {
            Peer peer = peers.get(client);
            if (peer != null && peer.hostOf == host) {
                peer.hostOf = 0;
            }
            done = done.compose(v -> registry.release(host, client)).mapEmpty();
        }
        done.onComplete(ar -> message.reply(null));
    }

    private void leave(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        Peer peer = peers.remove(session);
        if (peer == null) {
            message.reply(new P2pApi.Departure(0, Map.of()).toJson());
            return;
        }
        Future<Boolean> released = peer.hostOf != 0 ? registry.release(peer.hostOf, session) : Future.succeededFuture(false);
        Future<Map<Long, String>> clients = peer.registeredHost ? registry.unregister(session) : Future.succeededFuture(Map.of());
        Future.all(released, clients).onComplete(ar -> {
            Map<Long, String> orphans = clients.succeeded() ? clients.result() : Map.of();
            orphans.keySet().forEach(c -> {
                Peer orphan = peers.get(c);
                if (orphan != null && orphan.hostOf == session) {
                    orphan.hostOf = 0;
                }
            });
            message.reply(new P2pApi.Departure(peer.hostOf, orphans).toJson());
        });
    }

    /** Another edge is gone: its hosts and its clients' slots leave the registry (idempotent on every edge). */
    private void edgeLeft(String deadEdge) {
        // The purge below is asynchronous while the dead edge's orphans ask again at once: never place them on
        // its hosts in between. Edge ids are never reused (a restarted edge is a new member).
        departedEdges.add(deadEdge);
        registry.purgeEdge(deadEdge).onFailure(t -> LOG.warning("purging edge " + deadEdge + " failed: " + t.getMessage()));
    }

    private void report(Message<JsonObject> message) {
        int kbps = message.body().getInteger("kbps");
        registry.updateHealth(message.body().getLong("session"), HealthEvent.kbps(kbps)).onComplete(ar -> message.reply(null));
    }

    private void hosts(Message<Object> message) {
        registry.snapshot().onSuccess(hosts -> {
            JsonArray out = new JsonArray();
            for (HostEntry h : hosts) {
                out.add(new JsonObject().put("host", h.hostId()).put("edge", h.edgeId()).put("stream", h.stream())
                        .put("family", h.family()).put("capacity", h.capacity())
                        .put("clients", new JsonArray(h.clients().keySet().stream().sorted().toList()))
                        .put("accepting", policy.acceptsClients(h))
                        // Witnesses within the window (distinct client addresses), not raw reports.
                        .put("relaysConnected", reputation.successWitnesses(h.health()))
                        .put("relaysFailed", reputation.failureWitnesses(h.health()))
                        .put("offers", h.health().offers()).put("hostFailures", h.health().hostFailures()));
            }
            message.reply(out);
        });
    }
}
