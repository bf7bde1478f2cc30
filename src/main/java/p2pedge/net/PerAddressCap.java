package p2pedge.net;

import io.vertx.core.net.SocketAddress;

import java.util.HashMap;
import java.util.Map;

/**
 * How many of one kind of resource (connections, sockets, pending offers) each remote address holds, against a
 * cap. Not thread-safe: confined to the context of its owner.
 */
public final class PerAddressCap {

    private final int cap;
    private final Map<String, Integer> held = new HashMap<>();

    /** @param cap what one address may hold at once; 0: no cap (still counted) */
    public PerAddressCap(int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("cap must be 0 (none) or positive, got " + cap);
        }
        this.cap = cap;
    }

    /** The remote address a cap counts by: its IP literal (never null: an unknown address counts as one). */
    public static String addressOf(SocketAddress remote) {
        if (remote == null) {
            return "";
        }
        String ip = remote.hostAddress();
        return ip != null ? ip : remote.host() != null ? remote.host() : "";
    }

    /** Takes one for {@code address}, unless it already holds the cap. */
    public boolean tryAcquire(String address) {
        int now = held.getOrDefault(address, 0);
        if (cap > 0 && now >= cap) {
            return false;
        }
        held.put(address, now + 1);
        return true;
    }

    /** Gives one back; an address that holds nothing is forgotten. */
    public void release(String address) {
        held.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
    }

    public int held(String address) {
        return held.getOrDefault(address, 0);
    }

    /** Addresses holding at least one. */
    public int addresses() {
        return held.size();
    }

    public int cap() {
        return cap;
    }
}
