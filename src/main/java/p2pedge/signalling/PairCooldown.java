package p2pedge.signalling;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Host Peers a client gave up on (asked again, or stopped the relay) are not tried again for that client for a
 * while: each try makes the host's browser build a peer connection, so a client that keeps asking would make its
 * host build them back to back. Per client, at most the hosts it tried within one cooldown; forgotten when the
 * client leaves. Pure: the clock is injected (milliseconds).
 */
final class PairCooldown {

    private final long cooldownMillis;
    private final LongSupplier clock;
    /** client -> host -> until when it is not placed on that host again */
    private final Map<Long, Map<Long, Long>> until = new HashMap<>();

    PairCooldown(long cooldownMillis, LongSupplier clock) {
        this.cooldownMillis = cooldownMillis;
        this.clock = clock;
    }

    /** {@code client} left its relay with {@code host}. */
    void start(long client, long host) {
        if (cooldownMillis > 0) {
            until.computeIfAbsent(client, c -> new HashMap<>()).put(host, clock.getAsLong() + cooldownMillis);
        }
    }

    /** The hosts {@code client} must not be placed on now. */
    Set<Long> coolingHosts(long client) {
        Map<Long, Long> hosts = until.get(client);
        if (hosts == null) {
            return Set.of();
        }
        long now = clock.getAsLong();
        hosts.values().removeIf(t -> t <= now);
        if (hosts.isEmpty()) {
            until.remove(client);
            return Set.of();
        }
        return Set.copyOf(hosts.keySet());
    }

    void forget(long client) {
        until.remove(client);
    }

    /** Clients with a host cooling down (for tests: nothing is kept for clients that left). */
    int clients() {
        return until.size();
    }
}
