package p2pedge.p2p;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** Which host a client goes to, shared by every registry: candidates in order of preference. */
public final class HostRanking {

    private HostRanking() {
    }

    /** Hosts that may take the client, best first: same edge, higher score, fuller (so hosts fill up). */
    public static List<HostEntry> ranked(Collection<HostEntry> hosts, String stream, String family, long clientId,
                                  String clientEdge, Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                  ToDoubleFunction<HostEntry> score) {
        if (family == null) {
            return List.of();
        }
        Comparator<HostEntry> preference = Comparator.<HostEntry>comparingInt(h -> h.edgeId().equals(clientEdge) ? 0 : 1)
                .thenComparing(Comparator.comparingDouble(score).reversed())
                .thenComparingInt(HostEntry::freeSlots);
        return hosts.stream()
                .filter(h -> h.stream().equals(stream) && family.equals(h.family()))
                .filter(h -> h.hostId() != clientId && !excludedHosts.contains(h.hostId()))
                .filter(h -> h.freeSlots() > 0 && accepts.test(h))
                .sorted(preference)
                .toList();
    }

    static Optional<HostEntry> best(Collection<HostEntry> hosts, String stream, String family, long clientId,
                                    String clientEdge, Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                    ToDoubleFunction<HostEntry> score) {
        return ranked(hosts, stream, family, clientId, clientEdge, excludedHosts, accepts, score).stream().findFirst();
    }
}
