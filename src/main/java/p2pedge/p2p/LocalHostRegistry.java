package p2pedge.p2p;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/** The registry of one standalone edge, confined to the classification verticle's context. */
public final class LocalHostRegistry implements HostRegistry {

    private final Map<Long, HostEntry> hosts = new HashMap<>();

    @Override
    public Future<Void> register(HostEntry host) {
        hosts.putIfAbsent(host.hostId(), host);
        return Future.succeededFuture();
    }

    @Override
    public Future<Set<Long>> unregister(long hostId) {
        HostEntry removed = hosts.remove(hostId);
        return Future.succeededFuture(removed == null ? Set.of() : removed.clients());
    }

    @Override
    public Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, Set<Long> excludedHosts,
                                               Predicate<HostEntry> accepts, ToDoubleFunction<HostEntry> score) {
        if (family == null) {
            return Future.succeededFuture(Optional.empty());
        }
        Optional<HostEntry> best = hosts.values().stream()
                .filter(h -> h.stream().equals(stream) && family.equals(h.family()))
                .filter(h -> h.hostId() != clientId && !excludedHosts.contains(h.hostId()))
                .filter(h -> h.freeSlots() > 0 && accepts.test(h))
                // Best score first; among equals the fullest host, so that hosts fill up and offload peaks.
                .max(Comparator.comparingDouble(score).thenComparingInt(h -> -h.freeSlots()));
        best.ifPresent(h -> hosts.put(h.hostId(), h.withClient(clientId)));
        return Future.succeededFuture(best.map(h -> hosts.get(h.hostId())));
    }

    @Override
    public Future<Boolean> release(long hostId, long clientId) {
        HostEntry host = hosts.get(hostId);
        if (host == null || !host.clients().contains(clientId)) {
            return Future.succeededFuture(false);
        }
        hosts.put(hostId, host.withoutClient(clientId));
        return Future.succeededFuture(true);
    }

    @Override
    public Future<Void> updateHealth(long hostId, UnaryOperator<HostHealth> update) {
        hosts.computeIfPresent(hostId, (id, h) -> h.withHealth(update.apply(h.health())));
        return Future.succeededFuture();
    }

    @Override
    public Future<Optional<HostEntry>> find(long hostId) {
        return Future.succeededFuture(Optional.ofNullable(hosts.get(hostId)));
    }

    @Override
    public Future<Collection<HostEntry>> snapshot() {
        return Future.succeededFuture(new ArrayList<>(hosts.values()));
    }
}
