package p2pedge.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import p2pedge.bus.InProcess;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.cluster.events.RemoteSlot;
import p2pedge.p2p.HealthEvent;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostRanking;
import p2pedge.p2p.HostRegistry;
import p2pedge.p2p.HostTable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The host registry of a cluster of edges. A host belongs to the edge holding its socket, and only that edge changes
 * its entry (slots, health), one change at a time on its classification context: two edges never hand out the same
 * slot. Each edge publishes its hosts in the Hazelcast map {@link #MAP} and keeps a copy of the other edges' hosts
 * from the map's events, so a placement ranks its candidates without a network call and takes a slot in at most one
 * round trip: none on a host of its own edge, one event-bus request ({@link HostRequest}) to the host's edge
 * otherwise, which re-checks the free slot and, granting it, has the host asked to offer at once
 * ({@link ClusterEvents#SLOT_GRANTED}); a candidate that lost a race moves the search to the next one.
 * The copy is rebuilt from the map every {@link #RESYNC_MILLIS} ms, which also repairs this edge's published
 * entries (an event lost when a member died, a merge after a split). A placement waits at most
 * {@link BoundedCall#WAIT_MILLIS} for another edge; a slot taken there too late is given back.
 */
public final class HazelcastHostRegistry implements HostRegistry {

    private static final Logger LOG = Logger.getLogger(HazelcastHostRegistry.class.getName());

    public static final String MAP = "p2p-hosts";
    static final long RESYNC_MILLIS = 10_000;

    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final IMap<Long, HostEntry> published;
    private final String edgeId;
    /** This edge's hosts: the truth about them. */
    private final HostTable own = new HostTable();
    /** The other edges' hosts, as they published them. */
    private final HostTable others = new HostTable();
    private Context context;
    private MessageConsumer<JsonObject> consumer;
    private UUID listener;
    private long resyncTimer = -1;
    private boolean resyncing;

    public HazelcastHostRegistry(Vertx vertx, HazelcastInstance hazelcast, String edgeId) {
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.published = hazelcast.getMap(MAP);
        this.edgeId = edgeId;
    }

    @Override
    public Future<Void> open() {
        context = vertx.getOrCreateContext();
        consumer = vertx.eventBus().consumer(HostRequest.address(edgeId), this::answer);
        resyncTimer = vertx.setPeriodic(RESYNC_MILLIS, t -> resync());
        // Registering a listener waits for every member.
        return consumer.completion()
                .compose(v -> vertx.executeBlocking(() -> published.addEntryListener(new Events(), true), false))
                .compose(id -> {
                    listener = id;
                    return resync();
                });
    }

    @Override
    public Future<Void> close() {
        vertx.cancelTimer(resyncTimer);
        UUID registered = listener;
        listener = null;
        Future<Void> unlistened = registered == null || !hazelcast.getLifecycleService().isRunning() ? Future.succeededFuture()
                : vertx.executeBlocking(() -> published.removeEntryListener(registered), false).mapEmpty();
        return Future.all(consumer == null ? Future.succeededFuture() : consumer.unregister(), unlistened).mapEmpty();
    }

    @Override
    public Future<Void> register(HostEntry host) {
        if (!edgeId.equals(host.edgeId())) {
            return Future.failedFuture(new IllegalArgumentException("host " + host.hostId() + " is on edge " + host.edgeId()
                    + ", not on this edge"));
        }
        if (!own.contains(host.hostId())) {
            own.put(host);
            publish(host);
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<Long, String>> unregister(long hostId) {
        HostEntry removed = own.remove(hostId);
        if (removed == null) {
            return Future.succeededFuture(Map.of());
        }
        withdraw(hostId);
        return Future.succeededFuture(removed.clients());
    }

    @Override
    public Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, String clientEdge,
                                               Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                               ToDoubleFunction<HostEntry> score) {
        List<HostEntry> candidates = HostRanking.ranked(openHosts(), stream, family, clientId, clientEdge, excludedHosts, accepts, score);
        // A host reserved after the player was served by the edge: its slot goes back.
        return BoundedCall.of(vertx, "placing client " + clientId, tryInOrder(candidates, 0, clientId, clientEdge),
                Optional.empty(), late -> late.ifPresent(h -> release(h.hostId(), clientId)));
    }

    private Future<Optional<HostEntry>> tryInOrder(List<HostEntry> candidates, int index, long clientId, String clientEdge) {
        if (index >= candidates.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        HostEntry candidate = candidates.get(index);
        Future<Optional<HostEntry>> taken = edgeId.equals(candidate.edgeId())
                ? Future.succeededFuture(Optional.ofNullable(published(own.take(candidate.hostId(), clientId, clientEdge))))
                : ask(candidate.edgeId(), HostRequest.reserve(candidate.hostId(), clientId, clientEdge))
                        .map(yes -> yes ? Optional.of(candidate.withClient(clientId, clientEdge)) : Optional.<HostEntry>empty())
                        .recover(t -> {
                            // Unanswered is not refused: the slot may have been taken after all.
                            ask(candidate.edgeId(), HostRequest.release(candidate.hostId(), clientId, clientEdge));
                            return Future.succeededFuture(Optional.empty());
                        });
        return taken.compose(host -> host.isPresent() ? Future.succeededFuture(host) : tryInOrder(candidates, index + 1, clientId, clientEdge));
    }

    @Override
    public Future<Boolean> release(long hostId, long clientId) {
        if (own.contains(hostId)) {
            return Future.succeededFuture(published(own.giveBack(hostId, clientId)) != null);
        }
        HostEntry known = others.get(hostId);
        // A host no edge publishes any more holds no slot to give back.
        return known == null ? Future.succeededFuture(false)
                : BoundedCall.of(vertx, "giving back a slot of host " + hostId,
                        ask(known.edgeId(), HostRequest.release(hostId, clientId, edgeId)), false, late -> { });
    }

    @Override
    public Future<Void> updateHealth(long hostId, HealthEvent event) {
        if (own.contains(hostId)) {
            published(own.applyHealth(hostId, event));
            return Future.succeededFuture();
        }
        HostEntry known = others.get(hostId);
        return known == null ? Future.succeededFuture() : ask(known.edgeId(), HostRequest.health(hostId, event)).mapEmpty();
    }

    @Override
    public Future<Map<Long, String>> resize(long hostId, int slots) {
        Map<Long, String> beyond = own.resize(hostId, slots);
        published(own.get(hostId));
        return Future.succeededFuture(beyond);
    }

    @Override
    public Future<Collection<HostEntry>> snapshot() {
        return Future.succeededFuture(union(own.all(), others.all()));
    }

    @Override
    public Future<Void> purgeEdge(String deadEdge) {
        others.removeIf(h -> h.edgeId().equals(deadEdge));
        own.dropClientsOf(deadEdge).forEach(this::publish);
        // Its own entries, which it can no longer withdraw (idempotent: every survivor does it).
        return vertx.executeBlocking(() -> {
            published.removeAll(entry -> deadEdge.equals(entry.getValue().edgeId()));
            return null;
        }, false);
    }

    // ---- this edge's hosts ----

    /** Another edge asks about one of this edge's hosts: answered true when done. */
    private void answer(Message<JsonObject> message) {
        HostRequest request;
        try {
            request = HostRequest.fromJson(message.body());
        } catch (RuntimeException e) {
            message.fail(400, "malformed host request: " + e.getMessage());
            return;
        }
        HostEntry changed = switch (request.op()) {
            case RESERVE -> own.take(request.host(), request.client(), request.clientEdge());
            case RELEASE -> own.giveBack(request.host(), request.client());
            case HEALTH -> own.applyHealth(request.host(), request.event());
        };
        String told = switch (request.op()) {
            case RESERVE -> ClusterEvents.SLOT_GRANTED;
            case RELEASE -> ClusterEvents.SLOT_RELEASED;
            case HEALTH -> null;
        };
        if (changed != null && told != null) {
            // Before the reply: this edge's signalling asks the host to offer (or to stop) while the answer travels back.
            vertx.eventBus().publish(told, new RemoteSlot(request.host(), request.client(), request.clientEdge()).toJson(), InProcess.ONLY);
        }
        message.reply(published(changed) != null);
    }

    /** A change this edge made to one of its hosts (null: none), published to the others; returned as given. */
    private HostEntry published(HostEntry changed) {
        if (changed != null) {
            publish(changed);
        }
        return changed;
    }

    private void publish(HostEntry host) {
        write(() -> published.setAsync(host.hostId(), host), "publishing host " + host.hostId());
    }

    private void withdraw(long hostId) {
        write(() -> published.deleteAsync(hostId), "withdrawing host " + hostId);
    }

    /** A change to the map, not waited for: repaired by the next resync if it fails. */
    private static void write(Supplier<CompletionStage<?>> change, String what) {
        try {
            change.get().whenComplete((v, t) -> logFailure(t, what));
        } catch (HazelcastInstanceNotActiveException e) {
            // Shutting down (or killed): the survivors remove this edge's hosts when it leaves the cluster.
            logFailure(e, what);
        }
    }

    // ---- the other edges' hosts ----

    private Future<Boolean> ask(String edge, HostRequest request) {
        return vertx.eventBus().<Boolean>request(HostRequest.address(edge), request.toJson(),
                new DeliveryOptions().setSendTimeout(BoundedCall.WAIT_MILLIS)).map(Message::body);
    }

    /** The hosts with a free slot, this edge's and the others'. */
    private List<HostEntry> openHosts() {
        return union(own.open(), others.open());
    }

    private List<HostEntry> union(Collection<HostEntry> ours, Collection<HostEntry> theirs) {
        List<HostEntry> all = new ArrayList<>(ours.size() + theirs.size());
        all.addAll(ours);
        for (HostEntry h : theirs) {
            if (!own.contains(h.hostId())) {
                all.add(h);
            }
        }
        return all;
    }

    /** A change to the map, on this edge's context: another edge's host as published (null: gone). */
    private void seen(long hostId, HostEntry entry) {
        if (entry == null) {
            others.remove(hostId);
        } else if (!edgeId.equals(entry.edgeId()) && memberEdges().contains(entry.edgeId())) {
            others.put(entry);
        }
    }

    /** Rebuilds the copy of the other edges' hosts from the map and repairs this edge's entries in it. */
    private Future<Void> resync() {
        if (resyncing || !hazelcast.getLifecycleService().isRunning()) {
            return Future.succeededFuture();
        }
        resyncing = true;
        return vertx.executeBlocking(() -> {
            List<HostEntry> values = new ArrayList<>(published.values());
            Set<String> members = memberEdges();
            // Entries of edges no longer members: their edge cannot withdraw them, and the survivors' purge may have
            // missed one (published by the dying edge just after it, or lost in a migration). A host id is a session
            // id, never reused by another edge: nobody else can have changed the entry meanwhile.
            List<HostEntry> orphans = values.stream().filter(h -> !members.contains(h.edgeId())).toList();
            orphans.forEach(h -> published.delete(h.hostId()));
            if (!orphans.isEmpty()) {
                LOG.info(() -> "removed " + orphans.size() + " host(s) of edges no longer in the cluster from the map: "
                        + orphans.stream().map(h -> h.hostId() + " (" + h.edgeId() + ")").toList());
            }
            return values.stream().filter(h -> members.contains(h.edgeId())).toList();
        }, false).map(values -> {
            Set<Long> ownSeen = new HashSet<>();
            others.clear();
            for (HostEntry h : values) {
                if (!edgeId.equals(h.edgeId())) {
                    others.put(h);
                    continue;
                }
                HostEntry mine = own.get(h.hostId());
                if (mine == null) {
                    withdraw(h.hostId());
                } else {
                    ownSeen.add(h.hostId());
                    if (!mine.equals(h)) {
                        publish(mine);
                    }
                }
            }
            own.all().stream().filter(h -> !ownSeen.contains(h.hostId())).forEach(this::publish);
            return (Void) null;
        }).onComplete(ar -> {
            resyncing = false;
            if (ar.failed()) {
                LOG.warning("reading the cluster's hosts failed: " + ar.cause().getMessage());
            }
        }).recover(t -> Future.succeededFuture());
    }

    private Set<String> memberEdges() {
        return hazelcast.getCluster().getMembers().stream().map(m -> m.<String>getAttribute(EdgeCluster.NODE_ID_ATTRIBUTE))
                .filter(Objects::nonNull).collect(Collectors.toSet());
    }

    private static void logFailure(Throwable t, String what) {
        if (t != null) {
            LOG.fine(() -> what + " in the cluster's map failed (repaired within " + RESYNC_MILLIS / 1000 + " s): " + t.getMessage());
        }
    }

    /** The map's events, on Hazelcast's event threads: each goes to the registry's context. */
    private final class Events implements EntryAddedListener<Long, HostEntry>, EntryUpdatedListener<Long, HostEntry>,
            EntryRemovedListener<Long, HostEntry>, EntryEvictedListener<Long, HostEntry>, EntryMergedListener<Long, HostEntry>,
            MapClearedListener {

        @Override
        public void entryAdded(EntryEvent<Long, HostEntry> event) {
            changed(event.getKey(), event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<Long, HostEntry> event) {
            changed(event.getKey(), event.getValue());
        }

        @Override
        public void entryMerged(EntryEvent<Long, HostEntry> event) {
            changed(event.getKey(), event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<Long, HostEntry> event) {
            changed(event.getKey(), null);
        }

        @Override
        public void entryEvicted(EntryEvent<Long, HostEntry> event) {
            changed(event.getKey(), null);
        }

        @Override
        public void mapCleared(MapEvent event) {
            context.runOnContext(v -> others.clear());
        }

        private void changed(long hostId, HostEntry entry) {
            context.runOnContext(v -> seen(hostId, entry));
        }
    }
}
