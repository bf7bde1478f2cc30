package p2pedge.p2p;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.bus.InProcess;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Places each request_offer's player (served by the edge and may host, or by a Host Peer) as its
 * {@link Placement} decides, and keeps the host registry: the executor of those decisions against the
 * (possibly shared) registry. Talks only over the event bus.
 */
public final class PeerClassificationVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(PeerClassificationVerticle.class.getName());

    private final EdgeConfig.P2p config;
    private final String edgeId;
    private final HostRegistry registry;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private ClassificationPolicy policy;
    private final HostReputation reputation;
    private Placement placement;
    private long regroupTimer = -1;
    private boolean regrouping;
    /** Moves decided per round on this edge: gradual, so that a burst never moves many viewers at once. */
    private static final int MOVES_PER_ROUND = 2;

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
        Future<ClassificationPolicy> created = switch (config.policy()) {
            case OME -> Future.succeededFuture(new OmePolicy(reputation));
            case MEASURED -> vertx.executeBlocking(() -> new MeasuredPolicy(config.allowLinuxHosts(), reputation));
        };
        return Future.all(created, registry.open()).compose(ready -> {
            ClassificationPolicy p = created.result();
            policy = p;
            EdgeConfig.PairLearning learning = config.pairLearning();
            placement = new Placement(new Placement.Settings(edgeId, config.enabled(), config.maxClientPeersPerHostPeer(),
                    config.allowLoopbackCandidates(), config.pairing() == EdgeConfig.Pairing.ANY,
                    new PairOutcomes.Rules(learning.window(), learning.minRelays(), learning.minSuccessPercent(),
                            learning.cooldownSeconds() * 1000L), regroupRules(), capacityRules()), p, reputation::now);
            var bus = vertx.eventBus();
            consumers.add(bus.localConsumer(P2pApi.CLASSIFY, this::classify));
            consumers.add(bus.localConsumer(P2pApi.RELAY_RESULT, this::relayResult));
            consumers.add(bus.localConsumer(P2pApi.LEAVE, this::leave));
            consumers.add(bus.localConsumer(P2pApi.REPORT, this::report));
            consumers.add(bus.localConsumer(P2pApi.HOSTS, this::hosts));
            consumers.add(bus.localConsumer(P2pApi.DRAIN, m -> {
                placement.drain();
                m.reply(null);
            }));
            consumers.add(bus.<Long>localConsumer(MediaApi.CONNECTED, m -> mediaConnected(m.body())));
            consumers.add(bus.localConsumer(P2pApi.HOST_TRIED, this::hostTried));
            consumers.add(bus.<String>localConsumer(ClusterEvents.EDGE_LEFT, m -> edgeLeft(m.body())));
            if (regroupRules() != null) {
                regroupTimer = vertx.setPeriodic(config.regroup().intervalMillis(), t -> regroupRound());
            }
            LOG.info(() -> "P2P " + (config.enabled() ? "on" : "off") + ", policy " + policy.name()
                    + ", up to " + config.maxClientPeersPerHostPeer() + " clients per host");
            return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
    }

    /** Regrouping's rules: only the measured policy regroups (the {@code ome} policy keeps OvenMediaEngine's ways). */
    private Regrouping.Rules regroupRules() {
        EdgeConfig.Regroup r = config.regroup();
        return r.enabled() && config.policy() == EdgeConfig.Policy.MEASURED
                ? new Regrouping.Rules(r.settleSeconds() * 1000L, r.minMoveIntervalSeconds() * 1000L, MOVES_PER_ROUND) : null;
    }

    /** How hosts' slots follow their upload: the measured policy only ({@code ome} gives every host the cap). */
    private HostCapacity.Rules capacityRules() {
        EdgeConfig.Capacity c = config.capacity();
        int max = config.maxClientPeersPerHostPeer();
        return config.policy() == EdgeConfig.Policy.MEASURED
                ? new HostCapacity.Rules(Math.min(c.startSlots(), max), max, c.headroomPercent() / 100.0,
                        c.raiseAfterSeconds() * 1000L, c.lowerAfterSeconds() * 1000L, c.holdSeconds() * 1000L) : null;
    }

    /** One round of {@link Placement#regroup}, executed move after move against the registry. */
    private void regroupRound() {
        if (regrouping) {
            return; // the last round is still under way (a slow shared registry)
        }
        List<Regrouping.Candidate> candidates = placement.regroupCandidates();
        if (candidates.isEmpty()) {
            return;
        }
        regrouping = true;
        registry.snapshot().compose(hosts -> {
            Future<Void> done = Future.succeededFuture();
            for (Regrouping.Move move : placement.regroup(candidates, List.copyOf(hosts))) {
                HostEntry own = hosts.stream().filter(h -> h.hostId() == move.session()).findFirst().orElse(null);
                done = done.compose(v -> move(move, own));
            }
            return done;
        }).onComplete(ar -> {
            regrouping = false;
            if (ar.failed()) {
                LOG.warning("regrouping failed: " + ar.cause().getMessage());
            }
        });
    }

    /**
     * Takes a slot on the target for the mover, then a hosting mover ({@code own}: its entry; null for a player that
     * does not host) out of the registry; if a client was placed on that mover meanwhile, it stays a host (with that
     * client) and the slot is given back.
     */
    private Future<Void> move(Regrouping.Move move, HostEntry own) {
        HostEntry to = move.to();
        return registry.reserve(to.stream(), to.family(), move.session(), edgeId, Set.of(),
                h -> h.hostId() == to.hostId() && policy.acceptsClients(h), policy::score).compose(reserved -> {
            if (reserved.isEmpty()) {
                return Future.succeededFuture(); // its slot went meanwhile
            }
            Future<Map<Long, String>> left = own == null ? Future.succeededFuture(Map.of()) : registry.unregister(move.session());
            return left.compose(clients -> {
                Optional<Placement.Client> client = clients.isEmpty() ? placement.moved(move.session(), reserved.get()) : Optional.empty();
                if (client.isEmpty()) {
                    Future<Void> back = registry.release(to.hostId(), move.session()).mapEmpty();
                    if (clients.isEmpty()) {
                        return back; // it left meanwhile
                    }
                    HostEntry kept = own;
                    for (Map.Entry<Long, String> c : clients.entrySet()) {
                        kept = kept.withClient(c.getKey(), c.getValue());
                    }
                    HostEntry restored = kept;
                    return back.compose(v -> registry.register(restored));
                }
                LOG.fine(() -> "session " + move.session() + " moves onto host " + to.hostId() + " (regrouping)");
                vertx.eventBus().publish(P2pApi.MOVED, new P2pApi.Moved(move.session(), to.hostId(), to.edgeId(),
                        client.get().predicted()).toJson(), InProcess.ONLY);
                return Future.succeededFuture();
            });
        });
    }

    @Override
    public Future<?> stop() {
        if (regroupTimer >= 0) {
            vertx.cancelTimer(regroupTimer);
        }
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).compose(v -> registry.close());
    }

    /** Executes a {@link Placement}: gives back the old slot, reserves a host, registers a new host, in that order. */
    private void classify(Message<JsonObject> message) {
        P2pApi.ClassifyRequest asked = P2pApi.ClassifyRequest.fromJson(message.body());
        Placement.Request request = placement.request(asked.session(), asked.stream(), asked.userAgent(),
                asked.reachability(), asked.excludedHosts(), asked.edgeOnly(), asked.reports(), asked.consent());
        Future<Void> released = request.releaseFrom() == 0 ? Future.succeededFuture()
                : registry.release(request.releaseFrom(), request.session()).mapEmpty();
        released.compose(v -> request.search().map(s -> registry.reserve(s.stream(), s.family(), s.client(),
                                s.clientEdge(), s.excluded(), s.accepts(), s.score()))
                        .orElse(Future.succeededFuture(Optional.empty())))
                .compose(host -> {
                    Placement.Plan plan = placement.decide(request, host);
                    Future<Void> registered = plan instanceof Placement.Host h && h.register() != null
                            ? registry.register(h.register()) : Future.succeededFuture();
                    return registered.map(v -> plan);
                })
                .onSuccess(plan -> {
                    if (placement.leftMeanwhile(request)) {
                        undo(request.session(), plan); // the player left while a shared registry was answering
                    }
                    message.reply(placement.answer(request, plan).toJson());
                })
                .onFailure(t -> message.fail(500, "classification failed: " + t.getMessage()));
    }

    /** Gives back what a placement took for a player that is already gone. */
    private void undo(long session, Placement.Plan plan) {
        Future<?> undone = plan instanceof Placement.Client c ? registry.release(c.host(), session)
                : plan instanceof Placement.Host ? registry.unregister(session)
                : Future.succeededFuture();
        undone.onFailure(t -> LOG.warning("session " + session + ": undoing a placement failed: " + t.getMessage()));
    }

    private void mediaConnected(long session) {
        placement.mediaConnected(session).ifPresent(registry::register);
    }

    private void hostTried(Message<JsonObject> message) {
        P2pApi.HostTrial trial = P2pApi.HostTrial.fromJson(message.body());
        placement.hostTried(trial.session(), trial.answered(), trial.millis()).map(registry::register)
                .orElse(Future.succeededFuture()).onComplete(ar -> message.reply(null));
    }

    private void relayResult(Message<JsonObject> message) {
        P2pApi.RelayResult relay = P2pApi.RelayResult.fromJson(message.body());
        if (relay.outcome() == P2pApi.RelayOutcome.GAVE_UP_UNSEEN) {
            placement.gaveUpUnseen(relay.clientAddress());
            message.reply(null);
            return;
        }
        long host = relay.host();
        long client = relay.client();
        Placement.RelayResult result = placement.relayResult(host, client, relay.outcome(),
                reputation.witnessOf(relay.clientAddress(), client), reputation.now(), relay.millis());
        Future<Void> done = result.health() == null ? Future.succeededFuture() : registry.updateHealth(host, result.health());
        if (result.release()) {
            done = done.compose(v -> registry.release(host, client)).mapEmpty();
        }
        done.onComplete(ar -> message.reply(null));
    }

    private void leave(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        Placement.Leaving leaving = placement.leave(session).orElse(null);
        if (leaving == null) {
            message.reply(new P2pApi.Departure(0, Map.of()).toJson());
            return;
        }
        Future<Boolean> released = leaving.hostOf() != 0 ? registry.release(leaving.hostOf(), session) : Future.succeededFuture(false);
        Future<Map<Long, String>> clients = leaving.unregister() ? registry.unregister(session) : Future.succeededFuture(Map.of());
        Future.all(released, clients).onComplete(ar -> {
            Map<Long, String> orphans = clients.succeeded() ? clients.result() : Map.of();
            placement.orphaned(session, orphans.keySet());
            message.reply(new P2pApi.Departure(leaving.hostOf(), orphans).toJson());
        });
    }

    /** Another edge is gone: its hosts and its clients' slots leave the registry (idempotent on every edge). */
    private void edgeLeft(String deadEdge) {
        // The purge below is asynchronous while the dead edge's orphans ask again at once.
        placement.edgeLeft(deadEdge);
        registry.purgeEdge(deadEdge).onFailure(t -> LOG.warning("purging edge " + deadEdge + " failed: " + t.getMessage()));
    }

    /**
     * A host's report: what it receives goes to its record; what its relays upload may change its slots, and the
     * clients beyond them are moved (published as {@link P2pApi#SHED} for its signalling).
     */
    private void report(Message<JsonObject> message) {
        P2pApi.HostReport report = P2pApi.HostReport.fromJson(message.body());
        Future<Void> recorded = report.kbps() == null ? Future.succeededFuture()
                : registry.updateHealth(report.session(), HealthEvent.kbps(report.kbps()));
        OptionalInt slots = report.upload() == null ? OptionalInt.empty()
                : placement.upload(report.session(), report.upload(), report.streamKbps());
        if (slots.isPresent()) {
            int granted = slots.getAsInt();
            LOG.info(() -> "host " + report.session() + " now takes " + granted + " client(s): its relays "
                    + (report.upload().limited() ? "are limited" : "have upload to spare") + " (" + report.upload() + ")");
            recorded = recorded.compose(v -> registry.resize(report.session(), granted)).map(shed -> {
                if (!shed.isEmpty()) {
                    vertx.eventBus().publish(P2pApi.SHED, new P2pApi.Shed(report.session(), shed).toJson(), InProcess.ONLY);
                }
                return null;
            });
        }
        recorded.onComplete(ar -> message.reply(null));
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
