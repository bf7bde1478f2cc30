package p2pedge.media.rtc;

/** Reads just enough of a VP8 RTP packet (RFC 7741) to tell where a keyframe starts. */
public final class Vp8 {

    private Vp8() {
    }

    /** True for the first packet of a VP8 keyframe (start of partition 0 with the keyframe bit clear). */
    public static boolean startsKeyframe(byte[] rtp) {
        return keyframeHeader(rtp) >= 0;
    }

    /**
     * The picture size of the keyframe this packet starts (width x height, from the keyframe header RFC 6386
     * section 9.1 puts after the start code), or 0 when it starts none or the header is cut short. Simulcast layers
     * are told apart by it.
     */
    public static int keyframePixels(byte[] rtp) {
        int at = keyframeHeader(rtp);
        if (at < 0 || at + 10 > rtp.length || (rtp[at + 3] & 0xFF) != 0x9D || (rtp[at + 4] & 0xFF) != 0x01
                || (rtp[at + 5] & 0xFF) != 0x2A) {
            return 0;
        }
        int width = ((rtp[at + 6] & 0xFF) | (rtp[at + 7] & 0xFF) << 8) & 0x3FFF;
        int height = ((rtp[at + 8] & 0xFF) | (rtp[at + 9] & 0xFF) << 8) & 0x3FFF;
        return width * height;
    }

    /** Where the VP8 payload header of a keyframe's first packet starts, or -1 when the packet starts no keyframe. */
    private static int keyframeHeader(byte[] rtp) {
        int offset = payloadOffset(rtp);
        if (offset < 0 || offset >= rtp.length) {
            return -1;
        }
        int descriptor = rtp[offset] & 0xFF;
        boolean extended = (descriptor & 0x80) != 0;
        boolean startOfPartition = (descriptor & 0x10) != 0;
        int partitionId = descriptor & 0x07;
        int at = offset + 1;
        if (extended) {
            if (at >= rtp.length) {
                return -1;
            }
            int flags = rtp[at++] & 0xFF;
            if ((flags & 0x80) != 0) { // PictureID, 7 or 15 bits
                if (at >= rtp.length) {
                    return -1;
                }
                at += (rtp[at] & 0x80) != 0 ? 2 : 1;
            }
            if ((flags & 0x40) != 0) { // TL0PICIDX
                at++;
            }
            if ((flags & 0x30) != 0) { // TID/KEYIDX
                at++;
            }
        }
        // VP8 payload header: bit 0 of its first byte is the inverse keyframe flag (RFC 6386 section 9.1).
        return startOfPartition && partitionId == 0 && at < rtp.length && (rtp[at] & 0x01) == 0 ? at : -1;
    }

    /** Where the RTP payload starts (after CSRCs and the header extension), or -1 if the packet is too short. */
    static int payloadOffset(byte[] rtp) {
        return HeaderExtensions.blockEnd(rtp);
    }
}
