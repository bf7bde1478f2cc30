package p2pedge.p2p;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Host Peers and their free slots, on one edge or shared by a cluster of edges. Reservation is atomic per
 * host, so a registry shared by several edges hands out slots without read-modify-write races. A placement waits
 * for {@link #register}, {@link #reserve} and {@link #release}: each answers within a second or two, a shared
 * registry that cannot reach its data (a network split) with nothing found, undoing what it does later.
 */
public interface HostRegistry {

    /** Called on the context that uses the registry, before anything else: a shared registry starts listening. */
    default Future<Void> open() {
        return Future.succeededFuture();
    }

    /** Called on that context when it is done with the registry. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }

    Future<Void> register(HostEntry host);

    /** Removes a host; returns the clients it had (client id -> client's edge). */
    Future<Map<Long, String>> unregister(long hostId);

    /**
     * Reserves a slot for {@code clientId} (whose socket is on {@code clientEdge}) on the best host of
     * {@code stream} and {@code family} that {@code accepts}: hosts on the client's own edge first, then higher
     * {@code score}, then the fuller host. Empty when none has room. A host of another edge is asked to offer by
     * its own edge as that edge grants the slot, before this completes: the client's edge does not ask it.
     */
    Future<Optional<HostEntry>> reserve(String stream, String family, long clientId, String clientEdge,
                                        Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                        ToDoubleFunction<HostEntry> score);

    /** Frees the client's slot on that host; false when it held none there. */
    Future<Boolean> release(long hostId, long clientId);

    Future<Void> updateHealth(long hostId, HealthEvent event);

    /**
     * Gives a host {@code slots} slots; returns its newest clients beyond them (id -> edge), which hold no slot there
     * any more. Nothing when the host is gone.
     */
    Future<Map<Long, String>> resize(long hostId, int slots);

    Future<Collection<HostEntry>> snapshot();

    /**
     * An edge is gone: removes the hosts it held and frees the slots its clients held elsewhere, so no capacity
     * of a dead edge is handed out again. Idempotent: every surviving edge may call it.
     */
    Future<Void> purgeEdge(String edgeId);
}
