package p2pedge.media.rtc;

/**
 * The abs-send-time RTP header extension (libwebrtc's, negotiated by its URI): the time a packet leaves the sender,
 * 24 bits of seconds in 6.18 fixed point (wrapping every 64 s). A receiver's delay-based estimate compares it with
 * the arrival times, and reports what it estimates in REMB ({@link RtcpFeedback#estimateBps}). Stamped by the edge
 * as it sends each packet to each viewer, so the estimate covers the edge-to-viewer path only.
 */
public final class AbsSendTime {

    public static final String URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /** The id the edge offers it under (one-byte header form: 1-14). */
    public static final int OFFERED_ID = 3;

    private static final long WRAP_NANOS = 64_000_000_000L;

    private AbsSendTime() {
    }

    /** {@code nanos} (any monotonic clock) as the extension's 24-bit value. */
    public static int value(long nanos) {
        return (int) ((Math.floorMod(nanos, WRAP_NANOS) << 18) / 1_000_000_000L) & 0xFFFFFF;
    }

    /**
     * A copy of plain RTP {@code source} carrying the extension as element {@code id} (RFC 8285 one-byte header) and
     * no other (the source's own extensions are dropped: their ids were agreed with the edge, not the viewer), or a
     * plain copy when it is too short to be RTP.
     */
    public static byte[] stamped(byte[] source, int id, long nanos) {
        byte[] packet = (source.length > 0 && (source[0] & 0x10) != 0) ? HeaderExtensions.stripped(source) : source;
        int header = HeaderExtensions.fixedEnd(packet);
        if (header < 0 || (packet[0] & 0x10) != 0) {
            return packet == source ? source.clone() : packet;
        }
        int v = value(nanos);
        byte[] out = new byte[packet.length + 8];
        System.arraycopy(packet, 0, out, 0, header);
        out[0] |= 0x10;
        out[header] = (byte) 0xBE;
        out[header + 1] = (byte) 0xDE;
        out[header + 2] = 0;
        out[header + 3] = 1; // one 32-bit word: the element's 4 bytes
        out[header + 4] = (byte) (id << 4 | 2); // length field: 3 bytes, minus one
        out[header + 5] = (byte) (v >>> 16);
        out[header + 6] = (byte) (v >>> 8);
        out[header + 7] = (byte) v;
        System.arraycopy(packet, header, out, header + 8, packet.length - header);
        return out;
    }
}
