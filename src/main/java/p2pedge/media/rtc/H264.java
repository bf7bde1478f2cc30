package p2pedge.media.rtc;

/** Reads just enough of an H.264 RTP packet (RFC 6184, packetization-mode 1) to tell where a keyframe starts. */
public final class H264 {

    private static final int IDR = 5;
    private static final int SPS = 7;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;

    private H264() {
    }

    /**
     * True for a packet that begins an IDR picture or the SPS that precedes one: a single SPS/IDR NAL unit, an
     * aggregation (STAP-A) that holds one, or the first fragment (FU-A, start bit) of an IDR slice. Encoders
     * send SPS and PPS right before each IDR, so a viewer fed from here can decode.
     */
    public static boolean startsKeyframe(byte[] rtp) {
        int offset = Vp8.payloadOffset(rtp);
        if (offset < 0 || offset >= rtp.length) {
            return false;
        }
        int type = rtp[offset] & 0x1F;
        if (type == IDR || type == SPS) {
            return true;
        }
        if (type == STAP_A) {
            int at = offset + 1;
            while (at + 2 < rtp.length) {
                int size = ((rtp[at] & 0xFF) << 8) | (rtp[at + 1] & 0xFF);
                if (size == 0 || at + 2 + size > rtp.length) {
                    return false;
                }
                int inner = rtp[at + 2] & 0x1F;
                if (inner == IDR || inner == SPS) {
                    return true;
                }
                at += 2 + size;
            }
            return false;
        }
        if (type == FU_A && offset + 1 < rtp.length) {
            int header = rtp[offset + 1] & 0xFF;
            boolean start = (header & 0x80) != 0;
            return start && ((header & 0x1F) == IDR || (header & 0x1F) == SPS);
        }
        return false;
    }
}
