package p2pedge.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.TreeMap;

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

    /** Unwrapped sequence number -> arrival, microseconds. */
    private final TreeMap<Long, Long> arrivals = new TreeMap<>();
    private long highest = -1;
    private int feedbackCount;
    /** The first sequence number the next message may start at (everything below was reported). */
    private long next = -1;

    /** A packet with transport-wide sequence number {@code sequence} arrived at {@code arrivalMicros}. */
    public void onPacket(int sequence, long arrivalMicros) {
        long unwrapped = unwrap(sequence);
        if (next >= 0 && unwrapped < next) {
            return; // already reported (reordered behind a message)
        }
        arrivals.putIfAbsent(unwrapped, arrivalMicros);
        highest = Math.max(highest, unwrapped);
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
        if (arrivals.isEmpty()) {
            return null;
        }
        long base = arrivals.firstKey();
        long last = Math.min(arrivals.lastKey(), base + MAX_STATUSES - 1);
        long firstArrival = arrivals.get(base);
        long reference = Math.floorDiv(firstArrival, 64_000);
        long previous = reference * 64_000;
        byte[] symbols = new byte[(int) (last - base + 1)];
        ByteArrayOutputStream deltas = new ByteArrayOutputStream();
        for (long sequence = base; sequence <= last; sequence++) {
            Long arrival = arrivals.remove(sequence);
            if (arrival == null) {
                continue; // symbol 0: not received
            }
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
