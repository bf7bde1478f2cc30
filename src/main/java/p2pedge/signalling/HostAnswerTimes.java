package p2pedge.signalling;

import java.util.Arrays;

/**
 * How long hosts on this edge take to answer {@code request_offer_p2p} (the edge's ask to the host's offer, trials
 * included), and so how long a client waits on a host that stays silent: three times the 99th percentile of the
 * last {@link #WINDOW} answers, within [{@link #FLOOR_MILLIS}, {@link #CEILING_MILLIS}]; the configured bound until
 * {@link #MIN_SAMPLES} answers are known. Working hosts answer in well under 200 ms (a page with its relay
 * connection made ahead, OvenPlayer 0.10.38), so a silent one costs its client under a second instead of the
 * configured 3 s. Pure.
 */
final class HostAnswerTimes {

    static final int WINDOW = 128;
    static final int MIN_SAMPLES = 10;
    static final long FLOOR_MILLIS = 300;
    static final long CEILING_MILLIS = 1_000;

    private final long[] recent = new long[WINDOW];
    private int count;
    private int next;

    void record(long millis) {
        recent[next] = Math.max(0, millis);
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
    }

    /** How long to wait for a host's offer: learnt, or {@code configuredMillis} while too little is known (never more). */
    long bound(long configuredMillis) {
        if (count < MIN_SAMPLES) {
            return configuredMillis;
        }
        long[] sorted = Arrays.copyOf(recent, count);
        Arrays.sort(sorted);
        long p99 = sorted[Math.min(count - 1, (int) Math.ceil(0.99 * count) - 1)];
        return Math.min(configuredMillis, Math.max(FLOOR_MILLIS, Math.min(CEILING_MILLIS, 3 * p99)));
    }
}
