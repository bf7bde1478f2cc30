package p2pedge.p2p;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** The registry of one standalone edge, confined to the classification verticle's context. */
public final class LocalHostRegistry implements HostRegistry {

    private final HostTable hosts = new HostTable();

    @Override
    public Future<Void> register(HostEntry host) {
        if (!hosts.contains(host.hostId())) {
            hosts.put(host);
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<Long, String>> unregister(long hostId) {
        HostEntry removed = hosts.remove(hostId);
        return Future.succeededFuture(removed == null ? Map.of() : removed.clients());
    }

    @Override
    public Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, String clientEdge,
                                               Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                               ToDoubleFunction<HostEntry> score) {
        Optional<HostEntry> best = HostRanking.best(hosts.open(), stream, family, clientId, clientEdge, excludedHosts, accepts, score);
        best.ifPresent(h -> hosts.put(h.withClient(clientId, clientEdge)));
        return Future.succeededFuture(best.map(h -> hosts.get(h.hostId())));
    }

    @Override
    public Future<Boolean> release(long hostId, long clientId) {
        HostEntry host = hosts.get(hostId);
        if (host == null || !host.clients().containsKey(clientId)) {
            return Future.succeededFuture(false);
        }
        hosts.put(host.withoutClient(clientId));
        return Future.succeededFuture(true);
    }

    @Override
    public Future<Void> updateHealth(long hostId, HealthEvent event) {
        HostEntry host = hosts.get(hostId);
        if (host != null) {
            hosts.put(host.withHealth(event.applyTo(host.health())));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<Long, String>> resize(long hostId, int slots) {
        HostEntry host = hosts.get(hostId);
        if (host == null) {
            return Future.succeededFuture(Map.of());
        }
        hosts.put(host.withCapacity(slots));
        return Future.succeededFuture(host.beyond(slots));
    }

    @Override
    public Future<Collection<HostEntry>> snapshot() {
        return Future.succeededFuture(new ArrayList<>(hosts.all()));
    }

    @Override
    public Future<Void> purgeEdge(String edgeId) {
        hosts.removeIf(h -> h.edgeId().equals(edgeId));
        for (HostEntry host : List.copyOf(hosts.all())) {
            if (host.clients().containsValue(edgeId)) {
                hosts.put(host.withoutClientsOf(edgeId));
            }
        }
        return Future.succeededFuture();
    }
}
