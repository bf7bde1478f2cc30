package p2pedge.p2p;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Hosts by id, and apart from them those with a free slot: a placement ranks only the open ones, so it costs what
 * the open hosts are, not every host (most hosts are full once an audience has settled). Oldest first in both.
 * Confined to its registry's context.
 */
public final class HostTable {

    private final Map<Long, HostEntry> all = new LinkedHashMap<>();
    /** Each host's place in {@link #all} (registration order), which {@link #open} keeps too. */
    private final Map<Long, Long> order = new HashMap<>();
    private final NavigableMap<Long, HostEntry> open = new TreeMap<>();
    private long registered;

    public HostEntry get(long hostId) {
        return all.get(hostId);
    }

    public boolean contains(long hostId) {
        return all.containsKey(hostId);
    }

    public void put(HostEntry host) {
        all.put(host.hostId(), host);
        long place = order.computeIfAbsent(host.hostId(), id -> registered++);
        if (host.freeSlots() > 0) {
            open.put(place, host);
        } else {
            open.remove(place);
        }
    }

    /** The host removed, or null. */
    public HostEntry remove(long hostId) {
        Long place = order.remove(hostId);
        if (place != null) {
            open.remove(place);
        }
        return all.remove(hostId);
    }

    public void removeIf(Predicate<HostEntry> which) {
        for (HostEntry host : List.copyOf(all.values())) {
            if (which.test(host)) {
                remove(host.hostId());
            }
        }
    }

    public void clear() {
        all.clear();
        order.clear();
        open.clear();
    }

    public Collection<HostEntry> all() {
        return Collections.unmodifiableCollection(all.values());
    }

    /** The hosts with a free slot. */
    public Collection<HostEntry> open() {
        return Collections.unmodifiableCollection(open.values());
    }

    // The changes a host's own edge makes, one at a time: each returns the changed entry (null: nothing changed), which
    // a cluster's registry then publishes.

    /** A slot of the host for the client, if it has a free one and the client is not on it yet. */
    public HostEntry take(long hostId, long clientId, String clientEdge) {
        HostEntry host = all.get(hostId);
        if (host == null || host.freeSlots() <= 0 || host.clients().containsKey(clientId)) {
            return null;
        }
        return changed(host.withClient(clientId, clientEdge));
    }

    /** The client's slot on the host, free again, if it held one. */
    public HostEntry giveBack(long hostId, long clientId) {
        HostEntry host = all.get(hostId);
        return host == null || !host.clients().containsKey(clientId) ? null : changed(host.withoutClient(clientId));
    }

    public HostEntry applyHealth(long hostId, HealthEvent event) {
        HostEntry host = all.get(hostId);
        return host == null ? null : changed(host.withHealth(event.applyTo(host.health())));
    }

    /**
     * The host with {@code slots} slots, keeping its oldest clients: returns those that no longer fit (id -> edge),
     * empty for an unknown host.
     */
    public Map<Long, String> resize(long hostId, int slots) {
        HostEntry host = all.get(hostId);
        if (host == null) {
            return Map.of();
        }
        put(host.withCapacity(slots));
        return host.beyond(slots);
    }

    /** The slots clients on {@code edge} held, free again (that edge is gone): the hosts changed. */
    public List<HostEntry> dropClientsOf(String edge) {
        List<HostEntry> changed = new ArrayList<>();
        for (HostEntry host : List.copyOf(all.values())) {
            if (host.clients().containsValue(edge)) {
                changed.add(changed(host.withoutClientsOf(edge)));
            }
        }
        return changed;
    }

    private HostEntry changed(HostEntry host) {
        put(host);
        return host;
    }
}
