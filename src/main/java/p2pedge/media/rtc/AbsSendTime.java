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
        return HeaderExtensions.stamped(source, id, value(nanos), 0, 0);
    }
}
