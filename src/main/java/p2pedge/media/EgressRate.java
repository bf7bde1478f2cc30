package p2pedge.media;

/** A sending rate from a byte counter sampled at a fixed interval: bits per second over the last interval. */
public final class EgressRate {

    public static final long INTERVAL_MS = 2_000;

    private long lastBytes = -1;
    private long lastNanos;
    private volatile double bitsPerSecond;

    /** Called every {@link #INTERVAL_MS} with the counter's total. */
    public void sample(long totalBytes) {
        long now = System.nanoTime();
        if (lastBytes >= 0 && now > lastNanos) {
            bitsPerSecond = (totalBytes - lastBytes) * 8 * 1e9 / (now - lastNanos);
        }
        lastBytes = totalBytes;
        lastNanos = now;
    }

    public double bitsPerSecond() {
        return bitsPerSecond;
    }
}
