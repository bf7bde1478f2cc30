package p2pedge.p2p;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Host Peer in the registry: the edge holding its socket, its stream, family, capacity, current clients
 * (client id -> the edge holding the client's socket, oldest first), health, how other players can reach it and
 * since when it hosts (wall clock). Immutable and serializable: the cluster's registry publishes it as one map value,
 * replaced whole by the edge that owns the host.
 */
public record HostEntry(long hostId, String edgeId, String stream, String family, int capacity, Map<Long, String> clients,
                        HostHealth health, Reachability reachability, long registeredAtMillis) implements Serializable {

    public HostEntry {
        // Insertion order is kept: a host that loses slots gives up its newest clients.
        clients = Collections.unmodifiableMap(new LinkedHashMap<>(clients));
    }

    public int freeSlots() {
        return capacity - clients.size();
    }

    public HostEntry withClient(long clientId, String clientEdge) {
        Map<Long, String> more = new LinkedHashMap<>(clients);
        more.put(clientId, clientEdge);
        return withClients(more);
    }

    public HostEntry withoutClient(long clientId) {
        Map<Long, String> fewer = new LinkedHashMap<>(clients);
        fewer.remove(clientId);
        return withClients(fewer);
    }

    /** Without the clients whose sockets were on {@code edge} (that edge is gone). */
    public HostEntry withoutClientsOf(String edge) {
        Map<Long, String> kept = new LinkedHashMap<>(clients);
        kept.values().removeIf(edge::equals);
        return withClients(kept);
    }

    public HostEntry withHealth(HostHealth next) {
        return new HostEntry(hostId, edgeId, stream, family, capacity, clients, next, reachability, registeredAtMillis);
    }

    /** With {@code slots} slots, keeping its oldest clients that fit (see {@link #beyond}). */
    public HostEntry withCapacity(int slots) {
        Map<Long, String> kept = new LinkedHashMap<>(clients);
        beyond(slots).keySet().forEach(kept::remove);
        return new HostEntry(hostId, edgeId, stream, family, slots, kept, health, reachability, registeredAtMillis);
    }

    /** Its newest clients that do not fit in {@code slots} (id -> edge). */
    public Map<Long, String> beyond(int slots) {
        List<Map.Entry<Long, String>> all = new ArrayList<>(clients.entrySet());
        Map<Long, String> out = new LinkedHashMap<>();
        all.subList(Math.min(Math.max(0, slots), all.size()), all.size()).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private HostEntry withClients(Map<Long, String> next) {
        return new HostEntry(hostId, edgeId, stream, family, capacity, next, health, reachability, registeredAtMillis);
    }
}
