package p2pedge.p2p;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * A Host Peer in the registry: the edge holding its socket, its stream, family, capacity, current clients
 * (client id -> the edge holding the client's socket), health and how other players can reach it. Immutable and serializable: a distributed
 * registry stores it as one map value and updates it with per-key entry processors.
 */
public record HostEntry(long hostId, String edgeId, String stream, String family, int capacity, Map<Long, String> clients,
                        HostHealth health, Reachability reachability) implements Serializable {

    public HostEntry {
        clients = Map.copyOf(clients);
    }

    public int freeSlots() {
        return capacity - clients.size();
    }

    public HostEntry withClient(long clientId, String clientEdge) {
        Map<Long, String> more = new HashMap<>(clients);
        more.put(clientId, clientEdge);
        return new HostEntry(hostId, edgeId, stream, family, capacity, more, health, reachability);
    }

    public HostEntry withoutClient(long clientId) {
        Map<Long, String> fewer = new HashMap<>(clients);
        fewer.remove(clientId);
        return new HostEntry(hostId, edgeId, stream, family, capacity, fewer, health, reachability);
    }

    /** Without the clients whose sockets were on {@code edge} (that edge is gone). */
    public HostEntry withoutClientsOf(String edge) {
        Map<Long, String> kept = new HashMap<>(clients);
        kept.values().removeIf(edge::equals);
        return new HostEntry(hostId, edgeId, stream, family, capacity, kept, health, reachability);
    }

    public HostEntry withHealth(HostHealth next) {
        return new HostEntry(hostId, edgeId, stream, family, capacity, clients, next, reachability);
    }
}
