package p2pedge.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * A receiver's side of transport-wide congestion control, as a browser does it: it notes when each packet with a
 * transport-wide sequence number arrived and, asked at its feedback interval, writes one RTCP transport feedback
 * message (RTPFB FMT 15, draft-holmer-rmcat-transport-wide-cc-extensions-01) for everything since the last one:
 * run-length status chunks, one-byte deltas where they fit and two-byte ones where not, lost packets in between.
 * For load viewers, so that a benchmark with congestion control on costs the edge what browsers would.
 */
public final class TransportFeedbackWriter {

    /** At most this many statuses in one message; a longer gap starts the next message after it. */
    private static final int MAX_STATUSES = 1_000;
    /**
     * Sequence numbers a feedback interval may span; a packet further from the others is left out (reported lost).
     * Twice a message's statuses: a viewer's packets of several seconds, in 16 KB (a thousand load viewers' rings are
     * touched with every packet each receives, so the smaller the better for the load client's caches).
     */
    private static final int SPAN = 1 << 11;
    private static final long NONE = Long.MIN_VALUE;

    /**
     * Arrival, microseconds, by unwrapped sequence number modulo {@link #SPAN} ({@link #NONE}: not received): a ring,
     * not a sorted map, so that noting a packet allocates nothing (a load client notes hundreds of thousands a second).
     */
    private final long[] arrivals = new long[SPAN];
    private int pending;
    /** The lowest and highest unwrapped sequence numbers noted and not yet reported (when {@code pending > 0}). */
    private long low;
    private long high;
    private long highest = -1;
    private int feedbackCount;
    /** The first sequence number the next message may start at (everything below was reported). */
    private long next = -1;

    public TransportFeedbackWriter() {
        java.util.Arrays.fill(arrivals, NONE);
    }

    /** A packet with transport-wide sequence number {@code sequence} arrived at {@code arrivalMicros}. */
    public void onPacket(int sequence, long arrivalMicros) {
        long unwrapped = unwrap(sequence);
        if (next >= 0 && unwrapped < next) {
            return; // already reported (reordered behind a message)
        }
        highest = Math.max(highest, unwrapped);
        if (pending > 0 && (Math.max(high, unwrapped) - Math.min(low, unwrapped) >= SPAN)) {
            return;
        }
        int slot = (int) (unwrapped & (SPAN - 1));
        if (arrivals[slot] != NONE) {
            return; // a duplicate: its first arrival counts
        }
        arrivals[slot] = arrivalMicros;
        low = pending == 0 ? unwrapped : Math.min(low, unwrapped);
        high = pending == 0 ? unwrapped : Math.max(high, unwrapped);
        pending++;
    }

    private long unwrap(int sequence) {
        if (highest < 0) {
            return sequence;
        }
        long candidate = (highest & ~0xFFFFL) | sequence;
        if (candidate < highest - 0x8000) {
            candidate += 0x10000;
        } else if (candidate > highest + 0x8000) {
            candidate -= 0x10000;
        }
        return candidate;
    }

    /** The feedback for what arrived since the last message, or null when nothing did. */
    public byte[] write(int senderSsrc, int mediaSsrc) {
        if (pending == 0) {
            return null;
        }
        long base = low;
        long last = Math.min(high, base + MAX_STATUSES - 1);
        long firstArrival = arrivals[(int) (base & (SPAN - 1))];
        long reference = Math.floorDiv(firstArrival, 64_000);
        long previous = reference * 64_000;
        byte[] symbols = new byte[(int) (last - base + 1)];
        ByteArrayOutputStream deltas = new ByteArrayOutputStream();
        for (long sequence = base; sequence <= last; sequence++) {
            int slot = (int) (sequence & (SPAN - 1));
            long arrival = arrivals[slot];
            if (arrival == NONE) {
                continue; // symbol 0: not received
            }
            arrivals[slot] = NONE;
            pending--;
            long ticks = Math.round((arrival - previous) / 250.0);
            previous += ticks * 250;
            if (ticks >= 0 && ticks <= 0xFF) {
                symbols[(int) (sequence - base)] = 1;
                deltas.write((int) ticks);
            } else {
                symbols[(int) (sequence - base)] = 2;
                short clamped = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, ticks));
                deltas.write(clamped >> 8);
                deltas.write(clamped);
            }
        }
        low = last + 1;
        while (pending > 0 && arrivals[(int) (low & (SPAN - 1))] == NONE) {
            low++; // the next message starts at the lowest packet still to report
        }
        next = last + 1;
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int i = 0; i < symbols.length; ) {
            int run = 1;
            while (i + run < symbols.length && symbols[i + run] == symbols[i] && run < 0x1FFF) {
                run++;
            }
            int chunk = (symbols[i] << 13) | run;
            chunks.write(chunk >> 8);
            chunks.write(chunk);
            i += run;
        }
        int length = 4 + 8 + 8 + chunks.size() + deltas.size();
        int padded = (length + 3) / 4 * 4;
        ByteBuffer out = ByteBuffer.allocate(padded)
                // RTCP padding (P bit, its count in the last byte) when the deltas leave the message unaligned.
                .put((byte) (padded > length ? 0xAF : 0x8F)).put((byte) 205).putShort((short) (padded / 4 - 1))
                .putInt(senderSsrc).putInt(mediaSsrc)
                .putShort((short) base).putShort((short) symbols.length)
                .put((byte) (reference >> 16)).put((byte) (reference >> 8)).put((byte) reference)
                .put((byte) feedbackCount++)
                .put(chunks.toByteArray()).put(deltas.toByteArray());
        if (padded > length) {
            out.put(padded - 1, (byte) (padded - length));
        }
        return out.array();
    }
}
