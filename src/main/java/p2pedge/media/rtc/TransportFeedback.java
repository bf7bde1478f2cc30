package p2pedge.media.rtc;

import java.util.Optional;

/**
 * One transport-wide congestion control feedback message (RTCP RTPFB, FMT 15; draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 section 3.1): for each transport-wide sequence number from {@code baseSequence} on, whether the packet
 * arrived and when, in microseconds of the receiver's clock ({@link #LOST} for one that did not). Only differences
 * between arrival times mean anything. A malformed message (a chunk or delta past its end, a reserved symbol, more
 * statuses than {@link #MAX_STATUSES}) reads as nothing: a viewer's forged feedback cannot make the edge allocate more.
 */
public record TransportFeedback(int baseSequence, int feedbackCount, long[] arrivalMicros) {

    public static final long LOST = Long.MIN_VALUE;
    /** Browsers report every 50-100 ms, a few hundred packets at most: more is refused. */
    static final int MAX_STATUSES = 4_096;

    /** The status count: how many sequence numbers it covers. */
    public int count() {
        return arrivalMicros.length;
    }

    /**
     * @param rtcp   a decrypted RTCP datagram
     * @param at     where this message's header starts
     * @param length its length in bytes (from its header)
     */
    public static Optional<TransportFeedback> parse(byte[] rtcp, int at, int length) {
        int end = at + length;
        int fci = at + 12;
        if (length < 20 || end > rtcp.length) {
            return Optional.empty();
        }
        int base = u16(rtcp, fci);
        int count = u16(rtcp, fci + 2);
        int reference = ((rtcp[fci + 4] << 16) | ((rtcp[fci + 5] & 0xFF) << 8) | (rtcp[fci + 6] & 0xFF)); // signed 24 bits
        int feedbackCount = rtcp[fci + 7] & 0xFF;
        if (count == 0 || count > MAX_STATUSES) {
            return Optional.empty();
        }
        byte[] symbols = new byte[count];
        int filled = 0;
        int i = fci + 8;
        while (filled < count) {
            if (i + 2 > end) {
                return Optional.empty();
            }
            int chunk = u16(rtcp, i);
            i += 2;
            if ((chunk & 0x8000) == 0) { // run length: one symbol, repeated
                byte symbol = (byte) ((chunk >>> 13) & 0x03);
                int run = Math.min(chunk & 0x1FFF, count - filled);
                for (int k = 0; k < run; k++) {
                    symbols[filled++] = symbol;
                }
            } else if ((chunk & 0x4000) == 0) { // status vector: 14 one-bit symbols
                for (int bit = 13; bit >= 0 && filled < count; bit--) {
                    symbols[filled++] = (byte) ((chunk >>> bit) & 0x01);
                }
            } else { // status vector: 7 two-bit symbols
                for (int shift = 12; shift >= 0 && filled < count; shift -= 2) {
                    symbols[filled++] = (byte) ((chunk >>> shift) & 0x03);
                }
            }
        }
        long[] arrivals = new long[count];
        long time = reference * 64_000L;
        for (int k = 0; k < count; k++) {
            switch (symbols[k]) {
                case 0 -> arrivals[k] = LOST;
                case 1 -> { // small delta: unsigned, one byte, 250 us units
                    if (i + 1 > end) {
                        return Optional.empty();
                    }
                    time += (rtcp[i++] & 0xFF) * 250L;
                    arrivals[k] = time;
                }
                case 2 -> { // large or negative delta: signed, two bytes
                    if (i + 2 > end) {
                        return Optional.empty();
                    }
                    time += (short) u16(rtcp, i) * 250L;
                    i += 2;
                    arrivals[k] = time;
                }
                default -> {
                    return Optional.empty(); // reserved
                }
            }
        }
        return Optional.of(new TransportFeedback(base, feedbackCount, arrivals));
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}
