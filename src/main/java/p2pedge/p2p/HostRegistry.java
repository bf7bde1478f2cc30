package p2pedge.p2p;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Host Peers and their free slots. Reservation is atomic per host, so an implementation shared by several
 * edges (Hazelcast, the cluster issue) can hand out slots without read-modify-write races.
 */
public interface HostRegistry {

    Future<Void> register(HostEntry host);

    /** Removes a host; returns the clients it had. */
    Future<Set<Long>> unregister(long hostId);

    /**
     * Reserves a slot for {@code clientId} on the best host of {@code stream} and {@code family} that
     * {@code accepts}, preferring higher {@code score}; empty when none has room.
     */
    Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, Set<Long> excludedHosts,
                                        Predicate<HostEntry> accepts, ToDoubleFunction<HostEntry> score);

    /** Frees the client's slot on that host; false when it held none there. */
    Future<Boolean> release(long hostId, long clientId);

    Future<Void> updateHealth(long hostId, java.util.function.UnaryOperator<HostHealth> update);

    Future<Optional<HostEntry>> find(long hostId);

    Future<Collection<HostEntry>> snapshot();
}
