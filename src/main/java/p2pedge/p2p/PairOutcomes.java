package p2pedge.p2p;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Learns from relays that ended: a kind of pair ({@link PairKind}) whose recent relays on this edge mostly failed
 * is not tried for a while (its clients play from the edge at once), then tried afresh. It only ever stops pairs
 * the edge's prior would try: networks differ from the prior (a home router that drops P2P traffic, a carrier
 * NAT that maps like a cone but filters like a wall), and a viewer should not pay for that over and over. Pure;
 * time in milliseconds from the caller's clock; confined to the classification verticle's context.
 */
public final class PairOutcomes {

    private static final Logger LOG = Logger.getLogger(PairOutcomes.class.getName());

    /**
     * @param window            the last relays of a kind that count
     * @param minRelays         relays of a kind that must have ended before it may be stopped
     * @param minSuccessPercent a kind whose share of connected relays in the window is below this is stopped
     * @param cooldownMillis    how long a stopped kind is not tried (then its window starts empty)
     */
    public record Rules(int window, int minRelays, int minSuccessPercent, long cooldownMillis) {
        public Rules {
            if (window < 1 || minRelays < 1 || minRelays > window || minSuccessPercent < 0 || minSuccessPercent > 100
                    || cooldownMillis < 0) {
                throw new IllegalArgumentException("pair learning: 1 <= minRelays <= window, 0..100 percent, cooldown >= 0");
            }
        }
    }

    private final Rules rules;
    private final Map<PairKind, Deque<Boolean>> recent = new HashMap<>();
    private final Map<PairKind, Long> stoppedUntil = new HashMap<>();

    public PairOutcomes(Rules rules) {
        this.rules = rules;
    }

    /** A relay of {@code kind} connected, or failed after its host offered. */
    public void record(PairKind kind, boolean connected, long now) {
        if (stopped(kind, now)) {
            return; // tried before the stop took effect: the stop stands
        }
        Deque<Boolean> outcomes = recent.computeIfAbsent(kind, k -> new ArrayDeque<>());
        outcomes.addLast(connected);
        if (outcomes.size() > rules.window()) {
            outcomes.removeFirst();
        }
        long successes = outcomes.stream().filter(b -> b).count();
        if (outcomes.size() >= rules.minRelays() && successes * 100 < (long) rules.minSuccessPercent() * outcomes.size()) {
            stoppedUntil.put(kind, now + rules.cooldownMillis());
            LOG.warning(() -> "relays " + kind.label() + ": " + successes + " of the last " + outcomes.size()
                    + " connected; not tried for " + rules.cooldownMillis() / 1000 + " s");
            recent.remove(kind);
        }
    }

    /** Kinds not tried now. */
    public Set<PairKind> stopped(long now) {
        stoppedUntil.values().removeIf(until -> until <= now);
        return new HashSet<>(stoppedUntil.keySet());
    }

    private boolean stopped(PairKind kind, long now) {
        Long until = stoppedUntil.get(kind);
        return until != null && until > now;
    }
}
