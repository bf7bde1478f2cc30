package p2pedge.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pedge.p2p.HealthEvent;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostRanking;
import p2pedge.p2p.HostRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The host registry shared by every edge of the cluster: a Hazelcast map host id -> {@link HostEntry}.
 * Slots are taken and given back by entry processors, which run on the key's owner one at a time, so two
 * edges never hand out the same slot. Candidates are ranked on the calling edge from a snapshot of the values;
 * the reservation itself re-checks the free slot atomically and the next candidate is tried when it lost a race.
 * The calls a placement waits for are bounded ({@link BoundedCall}): in a split, a player is placed without the
 * registry rather than after it, and a slot reserved too late is given back.
 */
public final class HazelcastHostRegistry implements HostRegistry {

    public static final String MAP = "p2p-hosts";

    private final Vertx vertx;
    private final IMap<Long, HostEntry> hosts;

    public HazelcastHostRegistry(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.hosts = hazelcast.getMap(MAP);
    }

    @Override
    public Future<Void> register(HostEntry host) {
        // A host registered late takes clients from then on.
        return BoundedCall.of(vertx, "registering host " + host.hostId(), Future.fromCompletionStage(
                hosts.submitToKey(host.hostId(), new RegisterHost(host)), vertx.getOrCreateContext()).mapEmpty(), null, late -> { });
    }

    @Override
    public Future<Map<Long, String>> unregister(long hostId) {
        return Future.fromCompletionStage(hosts.removeAsync(hostId), vertx.getOrCreateContext())
                .map(removed -> removed == null ? Map.of() : removed.clients());
    }

    @Override
    public Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, String clientEdge,
                                               Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                               ToDoubleFunction<HostEntry> score) {
        Future<Optional<HostEntry>> reserved = snapshot().compose(all -> tryInOrder(
                HostRanking.ranked(all, stream, family, clientId, clientEdge, excludedHosts, accepts, score),
                0, clientId, clientEdge));
        // A host reserved after the player was served by the edge: its slot goes back.
        return BoundedCall.of(vertx, "placing client " + clientId, reserved, Optional.empty(),
                late -> late.ifPresent(h -> release(h.hostId(), clientId)));
    }

    private Future<Optional<HostEntry>> tryInOrder(List<HostEntry> candidates, int index, long clientId, String clientEdge) {
        if (index >= candidates.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        long hostId = candidates.get(index).hostId();
        return Future.fromCompletionStage(hosts.submitToKey(hostId, new ReserveSlot(clientId, clientEdge)), vertx.getOrCreateContext())
                .compose(reserved -> reserved != null
                        ? Future.succeededFuture(Optional.of(reserved))
                        : tryInOrder(candidates, index + 1, clientId, clientEdge));
    }

    @Override
    public Future<Boolean> release(long hostId, long clientId) {
        // A slot given back late is given back all the same.
        return BoundedCall.of(vertx, "giving back a slot of host " + hostId, Future.fromCompletionStage(
                hosts.submitToKey(hostId, new ReleaseSlot(clientId)), vertx.getOrCreateContext()), false, late -> { });
    }

    @Override
    public Future<Void> updateHealth(long hostId, HealthEvent event) {
        return Future.fromCompletionStage(hosts.submitToKey(hostId, new UpdateHealth(event)), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<Map<Long, String>> resize(long hostId, int slots) {
        return Future.fromCompletionStage(hosts.submitToKey(hostId, new Resize(slots)), vertx.getOrCreateContext());
    }

    @Override
    public Future<Collection<HostEntry>> snapshot() {
        // values() blocks on the network: keep it off the event loop.
        return vertx.executeBlocking(() -> new ArrayList<>(hosts.values()), false);
    }

    @Override
    public Future<Void> purgeEdge(String edgeId) {
        return vertx.executeBlocking(() -> {
            hosts.removeAll(entry -> edgeId.equals(entry.getValue().edgeId()));
            hosts.executeOnEntries(new DropClientsOf(edgeId), entry -> entry.getValue().clients().containsValue(edgeId));
            return null;
        }, false);
    }

    /** Adds a host unless its id is already registered. */
    record RegisterHost(HostEntry host) implements EntryProcessor<Long, HostEntry, Void> {
        @Override
        public Void process(Map.Entry<Long, HostEntry> entry) {
            if (entry.getValue() == null) {
                entry.setValue(host);
            }
            return null;
        }
    }

    /** Takes a slot if one is free: returns the updated entry, or null. */
    record ReserveSlot(long clientId, String clientEdge) implements EntryProcessor<Long, HostEntry, HostEntry> {
        @Override
        public HostEntry process(Map.Entry<Long, HostEntry> entry) {
            HostEntry host = entry.getValue();
            if (host == null || host.freeSlots() <= 0 || host.clients().containsKey(clientId)) {
                return null;
            }
            HostEntry updated = host.withClient(clientId, clientEdge);
            entry.setValue(updated);
            return updated;
        }
    }

    record ReleaseSlot(long clientId) implements EntryProcessor<Long, HostEntry, Boolean> {
        @Override
        public Boolean process(Map.Entry<Long, HostEntry> entry) {
            HostEntry host = entry.getValue();
            if (host == null || !host.clients().containsKey(clientId)) {
                return false;
            }
            entry.setValue(host.withoutClient(clientId));
            return true;
        }
    }

    record UpdateHealth(HealthEvent event) implements EntryProcessor<Long, HostEntry, Void> {
        @Override
        public Void process(Map.Entry<Long, HostEntry> entry) {
            HostEntry host = entry.getValue();
            if (host != null) {
                entry.setValue(host.withHealth(event.applyTo(host.health())));
            }
            return null;
        }
    }

    /** Sets the host's slots: returns the clients that no longer fit (newest first to go). */
    record Resize(int slots) implements EntryProcessor<Long, HostEntry, Map<Long, String>> {
        @Override
        public Map<Long, String> process(Map.Entry<Long, HostEntry> entry) {
            HostEntry host = entry.getValue();
            if (host == null) {
                return Map.of();
            }
            entry.setValue(host.withCapacity(slots));
            return host.beyond(slots);
        }
    }

    record DropClientsOf(String edgeId) implements EntryProcessor<Long, HostEntry, Void> {
        @Override
        public Void process(Map.Entry<Long, HostEntry> entry) {
            HostEntry host = entry.getValue();
            if (host != null) {
                entry.setValue(host.withoutClientsOf(edgeId));
            }
            return null;
        }
    }
}
