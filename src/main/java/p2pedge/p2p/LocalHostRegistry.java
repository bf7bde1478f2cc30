package p2pedge.p2p;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
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
        return Future.succeededFuture(best.map(h -> hosts.take(h.hostId(), clientId, clientEdge)));
    }

    @Override
    public Future<Boolean> release(long hostId, long clientId) {
        return Future.succeededFuture(hosts.giveBack(hostId, clientId) != null);
    }

    @Override
    public Future<Void> updateHealth(long hostId, HealthEvent event) {
        hosts.applyHealth(hostId, event);
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<Long, String>> resize(long hostId, int slots) {
        return Future.succeededFuture(hosts.resize(hostId, slots));
    }

    @Override
    public Future<Collection<HostEntry>> snapshot() {
        return Future.succeededFuture(new ArrayList<>(hosts.all()));
    }

    @Override
    public Future<Void> purgeEdge(String edgeId) {
        hosts.removeIf(h -> h.edgeId().equals(edgeId));
        hosts.dropClientsOf(edgeId);
        return Future.succeededFuture();
    }
}
