package p2pedge.media.rtc;

import java.security.SecureRandom;
import java.util.OptionalLong;

/**
 * Rewrites a source's RTP for one viewer: the viewer's own SSRC and payload type, and sequence numbers and timestamps that
 * start at random values when the viewer joins and then follow the source's steps (RFC 3550 section 5.1),
 * so every viewer sees a well-formed stream of its own whenever it joined. Not thread-safe.
 */
public final class RtpRewriter {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int ssrc;
    private final int payloadType;
    /** The viewer's id for abs-send-time (0: it did not negotiate it). */
    private final int absSendTimeId;
    /** The viewer's id for the transport-wide sequence number (0: none), and its numbering (shared with its audio). */
    private final int transportId;
    private final TransportSequence transport;
    private boolean started;
    private int sequenceDelta;
    private long timestampDelta;
    /** The last numbers this viewer was sent, and the timeline gap to leave before a new source's first packet (-1: none pending). */
    private int lastSequence;
    private long lastTimestamp;
    private long rebaseGapTicks = -1;
    /** The source sequence number of the newest packet rewritten. */
    private int lastSourceSequence;
    /**
     * The source sequence number after which the current deltas hold (padding numbered in, or a new source, moved them
     * there); -1 while they hold for every packet. A late packet from before it cannot be numbered: it is not sent.
     */
    private int deltaFrom = -1;
    /** How far behind the newest a late packet may be and still be sent: far beyond any replay window on the way. */
    static final int MAX_LATE = 1_024;

    public RtpRewriter(int ssrc) {
        this(ssrc, -1);
    }

    /** @param payloadType the payload type the viewer negotiated (a publisher may use another), or -1 to keep it */
    public RtpRewriter(int ssrc, int payloadType) {
        this(ssrc, payloadType, 0);
    }

    /** @param absSendTimeId the id the viewer agreed for {@link AbsSendTime} (0: none, nothing is stamped) */
    public RtpRewriter(int ssrc, int payloadType, int absSendTimeId) {
        this(ssrc, payloadType, absSendTimeId, 0, null);
    }

    /**
     * @param transportId the id the viewer agreed for the transport-wide sequence number (0: none)
     * @param transport   the viewer's transport-wide numbering, shared by everything sent to it (null when none)
     */
    public RtpRewriter(int ssrc, int payloadType, int absSendTimeId, int transportId, TransportSequence transport) {
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.absSendTimeId = absSendTimeId;
        this.transportId = transport == null ? 0 : transportId;
        this.transport = transport;
    }

    public int ssrc() {
        return ssrc;
    }

    /** A source RTP timestamp in this viewer's timeline (for its sender reports); empty before the first packet. */
    public OptionalLong timestamp(long sourceTimestamp) {
        return started && rebaseGapTicks < 0 ? OptionalLong.of((sourceTimestamp + timestampDelta) & 0xFFFFFFFFL) : OptionalLong.empty();
    }

    /**
     * The next packet comes from a new source (another SSRC, numbered from anywhere): this viewer's sequence numbers
     * continue without a gap, so its receiver sees no loss and NACKs nothing, and its timestamps advance by
     * {@code gapTicks} (the time the source was away, in the stream's clock), as after a pause. Until that packet,
     * {@link #timestamp} maps nothing: a sender report of the new source must not be read in the old one's timeline.
     */
    public void newSource(long gapTicks) {
        if (started) {
            rebaseGapTicks = Math.max(1, gapTicks);
        }
    }

    /**
     * A padding-only packet (RFC 3550 section 5.1: the P bit, {@code bytes} of padding, no payload) in this viewer's
     * stream, numbered next (the media after it numbered on), on the last packet's timestamp, stamped like media: what
     * a probe sends to learn whether the path carries more. Empty before the viewer's first packet.
     */
    public java.util.Optional<byte[]> padding(int bytes, long nanos) {
        if (!started || rebaseGapTicks >= 0) {
            return java.util.Optional.empty();
        }
        int size = Math.max(1, Math.min(255, bytes));
        byte[] plain = new byte[12 + size];
        plain[0] = (byte) 0xA0; // V=2, P
        plain[1] = (byte) (payloadType >= 0 ? payloadType : 0);
        plain[plain.length - 1] = (byte) size;
        lastSequence = (lastSequence + 1) & 0xFFFF;
        sequenceDelta++; // the media after it go on from its number
        deltaFrom = lastSourceSequence;
        number(plain, lastSequence, lastTimestamp);
        byte[] out = new byte[plain.length + HeaderExtensions.MAX_STAMP_GROWTH];
        return java.util.Optional.of(java.util.Arrays.copyOf(out, stampInto(plain, nanos, out)));
    }

    /**
     * {@code packet} with the edge's header extensions in place of the source's (whose ids it agreed with the edge,
     * not the viewer), written into {@code out}; returns its length. The size kept for the transport-wide feedback is
     * what goes on the wire: the edge's extension block and the SRTP tag too (the longest profile's: GCM's, which
     * browsers negotiate).
     */
    private int stampInto(byte[] packet, long nanos, byte[] out) {
        int sequenceNumber = transportId > 0 ? transport.next(packet.length + 8 + SrtpProfile.MAX_TAG) : 0;
        return HeaderExtensions.stampInto(packet, absSendTimeId, absSendTimeId > 0 ? AbsSendTime.value(nanos) : 0,
                transportId, sequenceNumber, out);
    }

    /** Writes the viewer's sequence number, timestamp and SSRC into {@code out}. */
    private void number(byte[] out, int sequence, long timestamp) {
        out[2] = (byte) (sequence >>> 8);
        out[3] = (byte) sequence;
        out[4] = (byte) (timestamp >>> 24);
        out[5] = (byte) (timestamp >>> 16);
        out[6] = (byte) (timestamp >>> 8);
        out[7] = (byte) timestamp;
        out[8] = (byte) (ssrc >>> 24);
        out[9] = (byte) (ssrc >>> 16);
        out[10] = (byte) (ssrc >>> 8);
        out[11] = (byte) ssrc;
    }

    /** A rewritten copy of {@code packet} (plain RTP), or null for one not to send; the source packet is left untouched. */
    public byte[] rewrite(byte[] packet) {
        return rewrite(packet, 0);
    }

    /**
     * A rewritten copy of {@code packet} (plain RTP), stamped with its send time {@code nanos} when the viewer
     * negotiated abs-send-time, or null for one not to send (see {@link #rewriteInto}); the source packet is left
     * untouched.
     */
    public byte[] rewrite(byte[] packet, long nanos) {
        byte[] out = new byte[packet.length + HeaderExtensions.MAX_STAMP_GROWTH];
        int length = rewriteInto(packet, nanos, out);
        return length < 0 ? null : java.util.Arrays.copyOf(out, length);
    }

    /**
     * As {@link #rewrite(byte[], long)}, written into {@code out} (at least {@link HeaderExtensions#MAX_STAMP_GROWTH}
     * bytes longer than the packet): no allocation; returns the rewritten packet's length, or -1 for a packet that
     * cannot be numbered and must not be sent. A packet older than the newest (reordered on the way, or resent after
     * the edge asked its source for it) is numbered as it would have been in order, and the numbers after it go on from
     * the newest; one from before padding was numbered in or before a new source cannot be placed, and is refused.
     */
    public int rewriteInto(byte[] packet, long nanos, byte[] out) {
        int sequence = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        long timestamp = ((packet[4] & 0xFFL) << 24) | ((packet[5] & 0xFFL) << 16) | ((packet[6] & 0xFFL) << 8) | (packet[7] & 0xFFL);
        boolean late = started && rebaseGapTicks < 0 && !SequenceNumbers.newer(sequence, lastSourceSequence);
        if (late && (SequenceNumbers.distance(sequence, lastSourceSequence) > MAX_LATE
                || deltaFrom >= 0 && !SequenceNumbers.newer(sequence, deltaFrom))) {
            return -1;
        }
        int length = stampInto(packet, nanos, out);
        if (!started) {
            started = true;
            sequenceDelta = RANDOM.nextInt(1 << 15) - sequence;
            timestampDelta = (RANDOM.nextInt() & 0xFFFFFFFFL) - timestamp;
        } else if (rebaseGapTicks >= 0) {
            // A new source (a re-published stream): its numbers start anywhere; the viewer's go on where they were.
            sequenceDelta = lastSequence + 1 - sequence;
            timestampDelta = lastTimestamp + rebaseGapTicks - timestamp;
            rebaseGapTicks = -1;
            deltaFrom = (sequence - 1) & 0xFFFF;
        }
        int newSequence = (sequence + sequenceDelta) & 0xFFFF;
        long newTimestamp = (timestamp + timestampDelta) & 0xFFFFFFFFL;
        if (!late) {
            if (deltaFrom >= 0 && SequenceNumbers.distance(deltaFrom, sequence) > MAX_LATE) {
                deltaFrom = -1; // no packet that old is sent any more
            }
            lastSequence = newSequence;
            lastTimestamp = newTimestamp;
            lastSourceSequence = sequence;
        }
        number(out, newSequence, newTimestamp);
        if (payloadType >= 0) {
            out[1] = (byte) ((packet[1] & 0x80) | payloadType); // the marker bit stays
        }
        return length;
    }
}
