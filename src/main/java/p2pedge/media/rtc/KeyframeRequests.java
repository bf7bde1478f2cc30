package p2pedge.media.rtc;

import java.util.function.LongSupplier;

/**
 * Keyframe requests to one source, collapsed: however many viewers join or ask (PLI/FIR) at once, the source
 * gets at most one request per interval; a request that arrives inside the interval is not lost but folded
 * into the next one. Thread-safe.
 */
public final class KeyframeRequests {

    private final long intervalNanos;
    private final LongSupplier clock;
    private final Runnable sendRequest;
    private long lastSentNanos = Long.MIN_VALUE / 2;
    private boolean pending;
    private long sent;

    public KeyframeRequests(long intervalMillis, LongSupplier nanoClock, Runnable sendRequest) {
        this.intervalNanos = intervalMillis * 1_000_000;
        this.clock = nanoClock;
        this.sendRequest = sendRequest;
    }

    /** A viewer needs a keyframe. */
    public synchronized void request() {
        pending = true;
        flush();
    }

    /** A keyframe arrived: a request still folded in is no longer needed. */
    public synchronized void satisfied() {
        pending = false;
    }

    /** Sends the folded request once the interval has passed (call periodically, or on each source packet). */
    public synchronized void flush() {
        long now = clock.getAsLong();
        if (pending && now - lastSentNanos >= intervalNanos) {
            pending = false;
            lastSentNanos = now;
            sent++;
            sendRequest.run();
        }
    }

    public synchronized long sent() {
        return sent;
    }
}
