package p2pedge.media.rtc;

/**
 * Which packet indices a receiver took, among the last {@link #SIZE} up to the highest (RFC 3711 section 3.3.2; at
 * least 64, as RFC 3711 asks and jitsi-srtp keeps): a packet further behind, or taken already, is a replay. Moved on
 * only by a packet that passed authentication. SRTP's 48-bit indices and SRTCP's 31-bit ones alike. Not thread-safe.
 */
final class ReplayWindow {

    static final int SIZE = 64;

    private long highest;
    /** Bit i: index (highest - i) was taken. */
    private long seen;

    /** @param highest the index counted from before the first packet (anything above it is new) */
    ReplayWindow(long highest) {
        this.highest = highest;
    }

    /** The highest index taken, or the starting one before any. */
    long highest() {
        return highest;
    }

    /** Whether {@code index} is neither too far behind nor taken already. */
    boolean fresh(long index) {
        long behind = highest - index;
        return behind < SIZE && (behind < 0 || (seen & (1L << behind)) == 0);
    }

    /** Takes {@code index} (a fresh one that passed authentication). */
    void take(long index) {
        long behind = highest - index;
        if (behind < 0) {
            seen = -behind >= SIZE ? 1 : (seen << -behind) | 1;
            highest = index;
        } else {
            seen |= 1L << behind;
        }
    }
}
