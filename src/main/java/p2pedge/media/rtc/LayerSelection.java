package p2pedge.media.rtc;

import java.util.function.LongSupplier;

/**
 * Which simulcast layer one viewer gets, from what the edge measures of the path to it (transport-wide feedback,
 * {@link TransportSequence}): it starts on the top layer; a path that congests (a queue building up, or loss) for
 * {@link Rules#holdDownMillis} moves it down to the highest layer the rate that still reached it carries; it moves up
 * one layer only after a probe proved the next one fits: padding on top of its layer, up to what the next layer
 * needs, for {@link Rules#probeMillis}, with no congestion meanwhile and arriving at that rate. A probe that congests ends at once and the
 * next waits twice as long (up to {@link Rules#maxProbeIntervalMillis}, so that a link that cleared up is found
 * again soon). Pure: the clock is injected; one per viewer.
 */
public final class LayerSelection {

    /**
     * @param congestedQueueMicros  a queue this long on the path is congestion
     * @param congestedLoss         so is losing this share of packets
     * @param holdDownMillis        congestion this long moves the viewer down
     * @param firstProbeMillis      how soon after a move (or a successful probe) the next probe goes
     * @param maxProbeIntervalMillis the longest wait between probes after failed ones
     * @param probeMillis           how long a probe lasts without congestion to count as a success
     * @param headroomPercent       a layer fits when the path carries this share of its rate (plus the audio)
     */
    public record Rules(long congestedQueueMicros, double congestedLoss, long holdDownMillis, long firstProbeMillis,
                        long maxProbeIntervalMillis, long probeMillis, int headroomPercent) {
        public static final Rules DEFAULT = new Rules(40_000, 0.05, 500, 3_000, 6_000, 1_000, 110);
    }

    /**
     * What the path to the viewer showed last: the rate that reached it (bit/s, -1: unknown), loss, queueing, and the
     * rate at which what was sent since the current probe began arrived (-1: not measured yet).
     */
    public record Path(long deliveredBps, double loss, long queueingMicros, long probeReceivedBps) {

        public Path(long deliveredBps, double loss, long queueingMicros) {
            this(deliveredBps, loss, queueingMicros, -1);
        }
    }

    /** The layer to feed (0 lowest) and the padding to send besides (bit/s; 0: none). */
    public record Decision(int layer, long paddingBps) {
    }

    /** A probe counts when what it sent arrived at this share of the rate the next layer needs, or faster. */
    private static final int PROBE_ARRIVED_PERCENT = 90;

    private final Rules rules;
    private final LongSupplier clock;
    /** -1: the top, whatever it is. */
    private int layer = -1;
    private long congestedSince = -1;
    private long probeUntil = -1;
    private long nextProbeAt;
    private long probeInterval;
    /** Until then congestion is not held against the viewer: a switch down taking effect, or a probe's queue draining. */
    private long graceUntil;
    /** A switch takes effect at the next keyframe, and a queue built up drains at the line's spare rate: give both time. */
    private static final long GRACE_NANOS = 1_500_000_000L;

    public LayerSelection(Rules rules, LongSupplier nanoClock) {
        this.rules = rules;
        this.clock = nanoClock;
        this.probeInterval = rules.firstProbeMillis() * 1_000_000;
    }

    /**
     * @param layerBps   the rates of the layers the source sends, lowest first
     * @param otherBps   what else goes to the viewer on the same path (its audio)
     * @param pinnedTop  a viewer that must get the top layer whatever its path (a Host Peer re-encodes for its clients)
     */
    public Decision decide(Path path, long[] layerBps, long otherBps, boolean pinnedTop) {
        long now = clock.getAsLong();
        int top = layerBps.length - 1;
        if (top <= 0 || pinnedTop) {
            layer = -1;
            probeUntil = -1;
            congestedSince = -1;
            return new Decision(Math.max(top, 0), 0);
        }
        int current = layer < 0 ? top : Math.min(layer, top);
        boolean congested = path.queueingMicros() > rules.congestedQueueMicros() || path.loss() > rules.congestedLoss();
        if (probeUntil >= 0) {
            if (congested) {
                probeFailed(now);
                graceUntil = now + GRACE_NANOS; // the queue the probe built drains; it says nothing of the layer
                return new Decision(current, 0);
            } else if (now >= probeUntil && path.probeReceivedBps() * 100 < need(layerBps, current + 1, otherBps) * PROBE_ARRIVED_PERCENT) {
                // What was sent arrived slower than the next layer needs (a shaper let a burst through, then held back).
                probeFailed(now);
            } else if (now >= probeUntil) {
                probeUntil = -1;
                layer = current + 1 >= top ? -1 : current + 1;
                probeInterval = rules.firstProbeMillis() * 1_000_000;
                nextProbeAt = now + probeInterval;
                return new Decision(current + 1, 0);
            } else {
                return new Decision(current, Math.max(0, need(layerBps, current + 1, otherBps) - need(layerBps, current, otherBps)));
            }
        }
        if (congested && now < graceUntil) {
            return new Decision(current, 0);
        }
        if (congested) {
            if (congestedSince < 0) {
                congestedSince = now;
            }
            if (now - congestedSince >= rules.holdDownMillis() * 1_000_000 && current > 0) {
                int down = current - 1;
                if (path.deliveredBps() > 0) {
                    while (down > 0 && need(layerBps, down, otherBps) > path.deliveredBps() * 85 / 100) {
                        down--;
                    }
                }
                layer = down;
                current = down;
                congestedSince = -1;
                nextProbeAt = now + probeInterval;
                graceUntil = now + GRACE_NANOS;
            }
            return new Decision(current, 0);
        }
        congestedSince = -1;
        if (current < top && now >= nextProbeAt) {
            probeUntil = now + rules.probeMillis() * 1_000_000;
            return new Decision(current, Math.max(0, need(layerBps, current + 1, otherBps) - need(layerBps, current, otherBps)));
        }
        return new Decision(current, 0);
    }

    /** The next layer does not fit: the next try waits twice as long, up to the longest wait. */
    private void probeFailed(long now) {
        probeUntil = -1;
        probeInterval = Math.min(2 * probeInterval, rules.maxProbeIntervalMillis() * 1_000_000);
        nextProbeAt = now + probeInterval;
    }

    /** What the path must carry for a layer: its rate with headroom, and the rest. */
    private long need(long[] layerBps, int layer, long otherBps) {
        return layerBps[layer] * rules.headroomPercent() / 100 + otherBps;
    }
}
