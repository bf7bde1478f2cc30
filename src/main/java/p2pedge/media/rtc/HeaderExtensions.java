package p2pedge.media.rtc;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads and drops RTP header extensions (RFC 8285, one- and two-byte forms). A source's extensions carry the ids
 * it agreed with the edge, which mean nothing (or something else) to a viewer: the forwarder drops them and writes
 * its own. Bounds are checked against the packet everywhere: a malformed block reads as absent.
 */
public final class HeaderExtensions {

    /** A simulcast layer's RID (RFC 8852), as WHIP publishers send it with each layer's first packets. */
    public static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /** The media section an SSRC belongs to (RFC 9143); sent along with the RID. */
    public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";

    private HeaderExtensions() {
    }

    /** The most {@link #stampInto} adds to a packet: the block's 4-byte header and 8 bytes of elements. */
    public static final int MAX_STAMP_GROWTH = 12;

    /** Where the fixed header and CSRCs end (the extension block, if any, starts there); -1 if too short. */
    static int fixedEnd(byte[] rtp) {
        return fixedEnd(rtp, rtp.length);
    }

    /** As {@link #fixedEnd(byte[])} for the packet {@code rtp[0, length)}. */
    static int fixedEnd(byte[] rtp, int length) {
        int end = 12 + 4 * (length > 0 ? rtp[0] & 0x0F : 0);
        return length >= end ? end : -1;
    }

    /** Where the header extension block ends (the payload starts), or -1 when malformed. */
    static int blockEnd(byte[] rtp) {
        return blockEnd(rtp, rtp.length);
    }

    /** As {@link #blockEnd(byte[])} for the packet {@code rtp[0, length)}. */
    static int blockEnd(byte[] rtp, int length) {
        int at = fixedEnd(rtp, length);
        if (at < 0 || (rtp[0] & 0x10) == 0) {
            return at;
        }
        if (at + 4 > length) {
            return -1;
        }
        int end = at + 4 + 4 * (((rtp[at + 2] & 0xFF) << 8) | (rtp[at + 3] & 0xFF));
        return end <= length ? end : -1;
    }

    /** The value of element {@code id} as text (RIDs and MIDs are ASCII), if the packet carries it. */
    public static Optional<String> text(byte[] rtp, int id) {
        return value(rtp, id).map(bytes -> new String(bytes, StandardCharsets.US_ASCII));
    }

    /** The bytes of element {@code id}, if the packet carries it. */
    public static Optional<byte[]> value(byte[] rtp, int id) {
        int at = fixedEnd(rtp);
        int end = blockEnd(rtp);
        if (id <= 0 || at < 0 || end < 0 || (rtp[0] & 0x10) == 0) {
            return Optional.empty();
        }
        int profile = ((rtp[at] & 0xFF) << 8) | (rtp[at + 1] & 0xFF);
        boolean oneByte = profile == 0xBEDE;
        if (!oneByte && (profile & 0xFFF0) != 0x1000) {
            return Optional.empty();
        }
        int i = at + 4;
        while (i < end) {
            int first = rtp[i] & 0xFF;
            if (first == 0) { // padding
                i++;
                continue;
            }
            int elementId;
            int length;
            if (oneByte) {
                elementId = first >>> 4;
                length = (first & 0x0F) + 1;
                if (elementId == 15) {
                    return Optional.empty(); // reserved: stop reading (RFC 8285 section 4.2)
                }
                i++;
            } else {
                if (i + 1 >= end) {
                    return Optional.empty();
                }
                elementId = first;
                length = rtp[i + 1] & 0xFF;
                i += 2;
            }
            if (i + length > end) {
                return Optional.empty();
            }
            if (elementId == id) {
                return Optional.of(java.util.Arrays.copyOfRange(rtp, i, i + length));
            }
            i += length;
        }
        return Optional.empty();
    }

    /**
     * A copy of {@code source} with the edge's own header extension block (RFC 8285 one-byte form) in place of the
     * source's: see {@link #stampInto}.
     */
    public static byte[] stamped(byte[] source, int absSendTimeId, int absSendTime, int transportId, int transportSequence) {
        byte[] out = new byte[source.length + MAX_STAMP_GROWTH];
        return java.util.Arrays.copyOf(out, stampInto(source, absSendTimeId, absSendTime, transportId, transportSequence, out));
    }

    /**
     * {@code source} with the edge's own header extension block (RFC 8285 one-byte form) in place of the source's,
     * written into {@code out} (at least {@link #MAX_STAMP_GROWTH} bytes longer than the source): abs-send-time
     * (3 bytes) when {@code absSendTimeId} > 0, the transport-wide sequence number (2 bytes) when {@code transportId}
     * > 0; stripped of the source's block when neither, and as it came when too short to be RTP or its block is
     * malformed. Returns the length written. The source is read once, without an intermediate stripped copy.
     */
    public static int stampInto(byte[] source, int absSendTimeId, int absSendTime, int transportId, int transportSequence,
                                byte[] out) {
        int header = fixedEnd(source);
        int payload = blockEnd(source);
        if (header < 0 || payload < 0) {
            System.arraycopy(source, 0, out, 0, source.length);
            return source.length;
        }
        int tail = source.length - payload;
        System.arraycopy(source, 0, out, 0, header);
        if (absSendTimeId <= 0 && transportId <= 0) {
            out[0] &= (byte) ~0x10;
            System.arraycopy(source, payload, out, header, tail);
            return header + tail;
        }
        int elements = (absSendTimeId > 0 ? 4 : 0) + (transportId > 0 ? 3 : 0);
        int block = (elements + 3) / 4 * 4;
        out[0] |= 0x10;
        out[header] = (byte) 0xBE;
        out[header + 1] = (byte) 0xDE;
        out[header + 2] = 0;
        out[header + 3] = (byte) (block / 4);
        int at = header + 4;
        if (absSendTimeId > 0) {
            out[at++] = (byte) (absSendTimeId << 4 | 2); // length field: 3 bytes, minus one
            out[at++] = (byte) (absSendTime >>> 16);
            out[at++] = (byte) (absSendTime >>> 8);
            out[at++] = (byte) absSendTime;
        }
        if (transportId > 0) {
            out[at++] = (byte) (transportId << 4 | 1);
            out[at++] = (byte) (transportSequence >>> 8);
            out[at++] = (byte) transportSequence;
        }
        // The elements' padding: zeros, whatever the array held before.
        java.util.Arrays.fill(out, at, header + 4 + block, (byte) 0);
        System.arraycopy(source, payload, out, header + 4 + block, tail);
        return header + 4 + block + tail;
    }

    /** A copy of {@code rtp} without its header extension block (a plain copy when it has none or is malformed). */
    public static byte[] stripped(byte[] rtp) {
        return stamped(rtp, 0, 0, 0, 0);
    }
}
