package p2pedge.media.rtc;

import java.util.function.LongSupplier;

/**
 * One viewer's keyframe requests (PLI, FIR): a keyframe costs every viewer of the stream a burst of bitrate, so one
 * viewer gets at most one honoured request per interval; while it still waits for its first keyframe its requests
 * always pass (the forwarder asks for that keyframe anyway, collapsed with everyone's by {@link KeyframeRequests}).
 * Pure: the clock is injected. Confined to the thread that forwards the source.
 */
public final class KeyframeBudget {

    private final long intervalNanos;
    private final LongSupplier clock;
    private long honouredAt;
    private boolean honouredOnce;

    /** @param intervalMillis 0: every request is honoured */
    public KeyframeBudget(long intervalMillis, LongSupplier nanoClock) {
        this.intervalNanos = intervalMillis * 1_000_000;
        this.clock = nanoClock;
    }

    /** Whether to pass this request on; {@code waitingForFirstKeyframe}: the viewer has had no picture yet. */
    public boolean admit(boolean waitingForFirstKeyframe) {
        if (waitingForFirstKeyframe) {
            return true;
        }
        long now = clock.getAsLong();
        if (honouredOnce && now - honouredAt < intervalNanos) {
            return false;
        }
        honouredOnce = true;
        honouredAt = now;
        return true;
    }
}
