package p2pedge.media.rtc;

/**
 * The last packets sent on one RTP stream, by sequence number, so a NACK (RFC 4585 generic NACK) is answered
 * from the edge instead of asking the source. A fixed ring: no growth, old packets simply overwritten.
 * <p>
 * What a viewer is sent is the source packet with a header of its own and, for VP8, its own picture id and
 * TL0PICIDX at the payload's start; the rest of the payload is the source's, byte for byte. So a slot keeps the
 * viewer's head (header and the payload's first {@link #REWRITTEN_PAYLOAD_BYTES}) in a flat array and shares the
 * source packet itself, which every viewer's slot points at: under 100 bytes per packet per viewer, allocated once,
 * instead of a 1.2 kB copy that lived for seconds (long enough to leave the young generation). A packet that does not fit that shape (padding the edge made up, an unusually long header) is kept
 * whole. Confined to the thread that forwards the source.
 */
public final class RetransmissionCache {

    /** The most of a payload's start a viewer's rewrite changes (a VP8 descriptor has at most 6 bytes). */
    static final int REWRITTEN_PAYLOAD_BYTES = 8;
    /** Room per slot for a viewer's head: a header with a few extensions, and the rewritten payload start. */
    static final int HEAD_BYTES = 64;

    private final int mask;
    private final int[] sequences;
    private final byte[] heads;
    private final int[] headLengths;
    /** The shared source packet a slot's tail comes from, and where that tail starts in it. */
    private final byte[][] sources;
    private final int[] tailOffsets;
    /** A packet kept whole (no source to share), or null. */
    private final byte[][] wholes;

    public RetransmissionCache(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        mask = capacity - 1;
        sequences = new int[capacity];
        java.util.Arrays.fill(sequences, -1);
        heads = new byte[capacity * HEAD_BYTES];
        headLengths = new int[capacity];
        sources = new byte[capacity][];
        tailOffsets = new int[capacity];
        wholes = new byte[capacity][];
    }

    /**
     * Keeps {@code plain[0, length)}, the RTP packet as sent to the viewer before protection (the array may be the one
     * the caller writes its next packet into: nothing of it is kept but copies), made from {@code source} (never
     * modified afterwards: it is shared, not copied), or null when the edge made it up; {@code sourcePayload}: where
     * the source's payload starts ({@link HeaderExtensions#blockEnd}, found once for all viewers; -1 with no source).
     */
    public void put(byte[] plain, int length, byte[] source, int sourcePayload) {
        int sequence = ((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF);
        int slot = sequence & mask;
        sequences[slot] = sequence;
        int payload = HeaderExtensions.blockEnd(plain, length);
        int head = payload + Math.min(REWRITTEN_PAYLOAD_BYTES, length - payload);
        if (source == null || payload < 0 || sourcePayload < 0 || head > HEAD_BYTES
                || length - payload != source.length - sourcePayload) {
            wholes[slot] = java.util.Arrays.copyOf(plain, length);
            sources[slot] = null;
            return;
        }
        System.arraycopy(plain, 0, heads, slot * HEAD_BYTES, head);
        headLengths[slot] = head;
        sources[slot] = source;
        tailOffsets[slot] = sourcePayload + (head - payload);
        wholes[slot] = null;
    }

    /** The length of the packet with that sequence number, or -1 when it is no longer in the ring. */
    public int length(int sequence) {
        int slot = sequence & mask;
        if (sequences[slot] != sequence) {
            return -1;
        }
        return wholes[slot] != null ? wholes[slot].length : headLengths[slot] + sources[slot].length - tailOffsets[slot];
    }

    /** The packet with that sequence number as it was sent (plain), if it is still in the ring. */
    public byte[] get(int sequence) {
        int slot = sequence & mask;
        if (sequences[slot] != sequence) {
            return null;
        }
        if (wholes[slot] != null) {
            return wholes[slot];
        }
        byte[] source = sources[slot];
        int head = headLengths[slot];
        int tail = source.length - tailOffsets[slot];
        byte[] packet = new byte[head + tail];
        System.arraycopy(heads, slot * HEAD_BYTES, packet, 0, head);
        System.arraycopy(source, tailOffsets[slot], packet, head, tail);
        return packet;
    }
}
