package p2pedge.media.rtc;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What viewers' RTCP feedback made the forwarders do, and what they refused, for the whole media plane. Thread-safe. */
public final class FeedbackStats {

    final LongAdder retransmittedPackets = new LongAdder();
    final LongAdder retransmittedBytes = new LongAdder();
    final LongAdder nackRepeated = new LongAdder();
    final LongAdder nackOverBudget = new LongAdder();
    final LongAdder nackNotCached = new LongAdder();
    final LongAdder keyframeHonoured = new LongAdder();
    final LongAdder keyframeRefused = new LongAdder();
    final LongAdder startsFromRecentKeyframe = new LongAdder();
    final LongAdder startsFromNextKeyframe = new LongAdder();

    public long retransmittedPackets() {
        return retransmittedPackets.sum();
    }

    public long retransmittedBytes() {
        return retransmittedBytes.sum();
    }

    /** NACKed packets not resent: {@code repeated} (within the round-trip window), {@code over_budget}, {@code not_cached} (too old or never sent). */
    public Map<String, Long> nackRefused() {
        return Map.of("repeated", nackRepeated.sum(), "over_budget", nackOverBudget.sum(), "not_cached", nackNotCached.sum());
    }

    public long keyframeRequestsHonoured() {
        return keyframeHonoured.sum();
    }

    public long keyframeRequestsRefused() {
        return keyframeRefused.sum();
    }

    /**
     * Players whose video started, by where from: {@code recent_keyframe} (one that had just gone by, sent at once)
     * or {@code next_keyframe} (asked for from the source).
     */
    public Map<String, Long> viewerStarts() {
        return Map.of("recent_keyframe", startsFromRecentKeyframe.sum(), "next_keyframe", startsFromNextKeyframe.sum());
    }
}
