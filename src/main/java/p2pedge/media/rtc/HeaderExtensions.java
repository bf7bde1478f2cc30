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

    /** Where the fixed header and CSRCs end (the extension block, if any, starts there); -1 if too short. */
    static int fixedEnd(byte[] rtp) {
        int end = 12 + 4 * (rtp.length > 0 ? rtp[0] & 0x0F : 0);
        return rtp.length >= end ? end : -1;
    }

    /** Where the header extension block ends (the payload starts), or -1 when malformed. */
    static int blockEnd(byte[] rtp) {
        int at = fixedEnd(rtp);
        if (at < 0 || (rtp[0] & 0x10) == 0) {
            return at;
        }
        if (at + 4 > rtp.length) {
            return -1;
        }
        int end = at + 4 + 4 * (((rtp[at + 2] & 0xFF) << 8) | (rtp[at + 3] & 0xFF));
        return end <= rtp.length ? end : -1;
    }

    /** The value of element {@code id} as text (RIDs and MIDs are ASCII), if the packet carries it. */
    public static Optional<String> text(byte[] rtp, int id) {
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
                return Optional.of(new String(rtp, i, length, StandardCharsets.US_ASCII));
            }
            i += length;
        }
        return Optional.empty();
    }

    /** A copy of {@code rtp} without its header extension block (a plain copy when it has none or is malformed). */
    public static byte[] stripped(byte[] rtp) {
        int at = fixedEnd(rtp);
        int end = blockEnd(rtp);
        if (at < 0 || end < 0 || (rtp[0] & 0x10) == 0) {
            return rtp.clone();
        }
        byte[] out = new byte[rtp.length - (end - at)];
        System.arraycopy(rtp, 0, out, 0, at);
        System.arraycopy(rtp, end, out, at, rtp.length - end);
        out[0] &= (byte) ~0x10;
        return out;
    }
}
