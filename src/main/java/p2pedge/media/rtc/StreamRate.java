package p2pedge.media.rtc;

import java.util.function.LongSupplier;

/**
 * A source's rate in bytes per second over the last full second (before the first second is over: what came so far,
 * over at least 200 ms), the base that viewers' retransmission budgets are a share of. Pure: the clock is injected.
 * Confined to the thread that forwards the source.
 */
public final class StreamRate {

    private static final long WINDOW_NANOS = 1_000_000_000L;
    private static final long MIN_SPAN_NANOS = 200_000_000L;

    private final LongSupplier clock;
    private long windowStart;
    private long bytesInWindow;
    private double lastRate = -1;
    private boolean started;

    public StreamRate(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    public void add(int bytes) {
        long now = clock.getAsLong();
        if (!started) {
            started = true;
            windowStart = now;
        } else if (now - windowStart >= WINDOW_NANOS) {
            lastRate = bytesInWindow / ((now - windowStart) / 1e9);
            windowStart = now;
            bytesInWindow = 0;
        }
        bytesInWindow += bytes;
    }

    public double bytesPerSecond() {
        if (lastRate >= 0) {
            long idle = clock.getAsLong() - windowStart;
            // A source that went quiet: what it sent since, over the time since, once that is the longer window.
            return idle > 2 * WINDOW_NANOS ? bytesInWindow / (idle / 1e9) : lastRate;
        }
        return started ? bytesInWindow / (Math.max(MIN_SPAN_NANOS, clock.getAsLong() - windowStart) / 1e9) : 0;
    }
}
