package p2pedge.media.rtc;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * What one viewer's NACKs may cost (RFC 4585 generic NACK answered from the edge's cache): each packet is resent at
 * most once per round-trip window (a NACK repeating an entry, or the next NACK asking again before the first resend
 * could have arrived, gets nothing), and all resends together stay within a token bucket of bytes per second,
 * a share of the stream's measured rate, with a burst of one second's worth. So a viewer can never make the edge
 * send it more than the stream plus that share, however many NACKs it sends. Pure: the clock is injected.
 * Confined to the thread that forwards the source.
 */
public final class RetransmissionBudget {

    /** The answer to one NACKed packet. */
    public enum Verdict {
        SEND,
        /** Resent less than a round trip ago (or earlier in the same NACK). */
        REPEATED,
        /** The viewer's retransmission budget is spent. */
        OVER_BUDGET
    }

    /** A round trip measured above this is taken as this: a stalled viewer must still get its resends in time. */
    private static final long MAX_WINDOW_NANOS = 1_000_000_000L;
    private static final double BURST_SECONDS = 1.0;

    private final LongSupplier clock;
    private final long floorWindowNanos;
    /** Indexed like the retransmission cache (sequence & mask): bounded by it, and a packet it no longer holds needs no entry. */
    private final int[] sequences;
    private final long[] resentAt;
    private long windowNanos;
    private double tokens;
    private long refilledAt;
    private boolean started;

    /**
     * @param history          how many sequence numbers to remember (a power of two, the cache's size)
     * @param floorWindowMillis the shortest window, and the window until a round trip is measured
     */
    public RetransmissionBudget(int history, long floorWindowMillis, LongSupplier nanoClock) {
        if (Integer.bitCount(history) != 1) {
            throw new IllegalArgumentException("history must be a power of two");
        }
        this.clock = nanoClock;
        this.floorWindowNanos = floorWindowMillis * 1_000_000;
        this.windowNanos = floorWindowNanos;
        this.sequences = new int[history];
        this.resentAt = new long[history];
        Arrays.fill(sequences, -1);
    }

    /** The viewer's round-trip time, measured from its receiver reports: resends are spaced by it (floor and cap apply). */
    public void roundTrip(long rttNanos) {
        windowNanos = Math.max(floorWindowNanos, Math.min(MAX_WINDOW_NANOS, rttNanos));
    }

    public long windowNanos() {
        return windowNanos;
    }

    /**
     * Whether to resend the packet {@code sequence} of {@code bytes}, with the budget now at {@code bytesPerSecond};
     * a {@link Verdict#SEND} is charged to the budget and remembered.
     */
    public Verdict admit(int sequence, int bytes, double bytesPerSecond) {
        long now = clock.getAsLong();
        int slot = sequence & (sequences.length - 1);
        if (sequences[slot] == sequence && now - resentAt[slot] < windowNanos) {
            return Verdict.REPEATED;
        }
        double capacity = bytesPerSecond * BURST_SECONDS;
        if (!started) {
            started = true;
            tokens = capacity;
        } else {
            tokens = Math.min(capacity, tokens + bytesPerSecond * ((now - refilledAt) / 1e9));
        }
        refilledAt = now;
        if (tokens < bytes) {
            return Verdict.OVER_BUDGET;
        }
        tokens -= bytes;
        sequences[slot] = sequence;
        resentAt[slot] = now;
        return Verdict.SEND;
    }
}
