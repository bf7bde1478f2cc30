package p2pedge.signalling;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.ToLongFunction;

/**
 * Pairings keyed by their client, also found by their host: a player's leaving looks up the pairings it hosted without
 * scanning every pairing of the edge (at 10,000 players that scan was a few per cent of the event loop).
 */
final class ClientsByHost<V> {

    private final ToLongFunction<V> hostOf;
    private final Map<Long, V> byClient = new HashMap<>();
    private final Map<Long, Set<Long>> clientsOfHost = new HashMap<>();

    ClientsByHost(ToLongFunction<V> hostOf) {
        this.hostOf = hostOf;
    }

    V get(long client) {
        return byClient.get(client);
    }

    /** Pairs {@code client} as {@code value} says, replacing its pairing if it had one. */
    void put(long client, V value) {
        remove(client);
        byClient.put(client, value);
        clientsOfHost.computeIfAbsent(hostOf.applyAsLong(value), h -> new HashSet<>()).add(client);
    }

    V remove(long client) {
        V removed = byClient.remove(client);
        if (removed != null) {
            long host = hostOf.applyAsLong(removed);
            Set<Long> clients = clientsOfHost.get(host);
            clients.remove(client);
            if (clients.isEmpty()) {
                clientsOfHost.remove(host);
            }
        }
        return removed;
    }

    /** The pairings {@code host} hosts, a copy (the caller may remove them as it goes). */
    List<V> ofHost(long host) {
        Set<Long> clients = clientsOfHost.get(host);
        if (clients == null) {
            return List.of();
        }
        List<V> out = new ArrayList<>(clients.size());
        clients.forEach(client -> out.add(byClient.get(client)));
        return out;
    }

    /** Removes every pairing of {@code host}. */
    void removeHost(long host) {
        Set<Long> clients = clientsOfHost.remove(host);
        if (clients != null) {
            clients.forEach(byClient::remove);
        }
    }

    /** Every pairing, a copy. */
    Collection<V> values() {
        return new ArrayList<>(byClient.values());
    }

    /** Removes the pairings {@code test} (client, pairing) takes; a scan, for what happens rarely (an edge left). */
    void removeIf(BiPredicate<Long, V> test) {
        List<Long> gone = new ArrayList<>();
        byClient.forEach((client, value) -> {
            if (test.test(client, value)) {
                gone.add(client);
            }
        });
        gone.forEach(this::remove);
    }
}
