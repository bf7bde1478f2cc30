package p2pedge.media.rtc;

import java.util.Arrays;

/**
 * Which packet indices a receiver took, among the last {@code size} up to the highest (RFC 3711 section 3.3.2; at
 * least 64, as RFC 3711 asks): a packet further behind, or taken already, is a replay. Moved on only by a packet that
 * passed authentication. SRTP's 48-bit indices and SRTCP's 31-bit ones alike. Not thread-safe.
 */
final class ReplayWindow {

    private final long[] words;
    private final long mask;
    private long highest;

    /**
     * @param highest the index counted from before the first packet (anything above it is new)
     * @param size    how far behind the highest a packet is still taken: a power of two, at least 64
     */
    ReplayWindow(long highest, int size) {
        if (size < 64 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("a replay window is a power of two of at least 64: " + size);
        }
        this.words = new long[size / 64];
        this.mask = size - 1;
        this.highest = highest;
    }

    /** The highest index taken, or the starting one before any. */
    long highest() {
        return highest;
    }

    /** Whether {@code index} is neither too far behind nor taken already. */
    boolean fresh(long index) {
        long behind = highest - index;
        return behind < 0 || (behind <= mask && !bit(index));
    }

    /** Takes {@code index} (a fresh one that passed authentication). */
    void take(long index) {
        long ahead = index - highest;
        if (ahead > mask) {
            Arrays.fill(words, 0);
        } else {
            // The slots the window moves over belonged to indices a whole window older: not taken yet now.
            for (long skipped = highest + 1; skipped < index; skipped++) {
                clear(skipped);
            }
        }
        if (ahead > 0) {
            highest = index;
        }
        set(index);
    }

    private boolean bit(long index) {
        int slot = (int) (index & mask);
        return (words[slot >>> 6] & (1L << slot)) != 0;
    }

    private void set(long index) {
        int slot = (int) (index & mask);
        words[slot >>> 6] |= 1L << slot;
    }

    private void clear(long index) {
        int slot = (int) (index & mask);
        words[slot >>> 6] &= ~(1L << slot);
    }
}
