package p2pedge.p2p;

import java.util.Set;

/** A Host Peer in the registry: its stream, family, capacity, current clients and health. */
public record HostEntry(long hostId, String stream, String family, int capacity, Set<Long> clients, HostHealth health) {

    public HostEntry {
        clients = Set.copyOf(clients);
    }

    public int freeSlots() {
        return capacity - clients.size();
    }

    HostEntry withClient(long clientId) {
        java.util.HashSet<Long> more = new java.util.HashSet<>(clients);
        more.add(clientId);
        return new HostEntry(hostId, stream, family, capacity, more, health);
    }

    HostEntry withoutClient(long clientId) {
        java.util.HashSet<Long> fewer = new java.util.HashSet<>(clients);
        fewer.remove(clientId);
        return new HostEntry(hostId, stream, family, capacity, fewer, health);
    }

    HostEntry withHealth(HostHealth next) {
        return new HostEntry(hostId, stream, family, capacity, clients, next);
    }
}
