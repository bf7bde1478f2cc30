package p2pedge.p2p;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Which host a client goes to, shared by every registry: candidates in order of preference. Each candidate's
 * score is computed once per ranking (a policy's score weighs the host's whole record).
 */
public final class HostRanking {

    private HostRanking() {
    }

    /** A candidate with what it is ranked by. */
    private record Ranked(HostEntry host, int otherEdge, double score) {
        static final Comparator<Ranked> PREFERENCE = Comparator.comparingInt(Ranked::otherEdge)
                .thenComparing(Comparator.comparingDouble(Ranked::score).reversed())
                .thenComparingInt(r -> r.host().freeSlots());
    }

    /** Hosts that may take the client, best first: same edge, higher score, fuller (so hosts fill up). */
    public static List<HostEntry> ranked(Collection<HostEntry> hosts, String stream, String family, long clientId,
                                  String clientEdge, Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                  ToDoubleFunction<HostEntry> score) {
        List<Ranked> candidates = candidates(hosts, stream, family, clientId, clientEdge, excludedHosts, accepts, score);
        candidates.sort(Ranked.PREFERENCE);
        return candidates.stream().map(Ranked::host).toList();
    }

    /** The first of {@link #ranked}, in one pass. */
    static Optional<HostEntry> best(Collection<HostEntry> hosts, String stream, String family, long clientId,
                                    String clientEdge, Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                    ToDoubleFunction<HostEntry> score) {
        Ranked best = null;
        for (Ranked r : candidates(hosts, stream, family, clientId, clientEdge, excludedHosts, accepts, score)) {
            if (best == null || Ranked.PREFERENCE.compare(r, best) < 0) {
                best = r; // strictly better: among equals the first stays, as in the stable sort
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.host());
    }

    private static List<Ranked> candidates(Collection<HostEntry> hosts, String stream, String family, long clientId,
                                           String clientEdge, Set<Long> excludedHosts, Predicate<HostEntry> accepts,
                                           ToDoubleFunction<HostEntry> score) {
        List<Ranked> out = new ArrayList<>();
        if (family == null) {
            return out;
        }
        for (HostEntry h : hosts) {
            if (h.stream().equals(stream) && family.equals(h.family())
                    && h.hostId() != clientId && !excludedHosts.contains(h.hostId())
                    && h.freeSlots() > 0 && accepts.test(h)) {
                out.add(new Ranked(h, h.edgeId().equals(clientEdge) ? 0 : 1, score.applyAsDouble(h)));
            }
        }
        return out;
    }
}
