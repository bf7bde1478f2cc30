package p2pedge.media.rtc;

import java.nio.ByteBuffer;

/** The RTCP packets the forwarder writes itself. */
public final class Rtcp {

    private Rtcp() {
    }

    /** Picture Loss Indication (RFC 4585 section 6.3.1): "send me a keyframe". */
    public static byte[] pli(int senderSsrc, int mediaSsrc) {
        return ByteBuffer.allocate(12)
                .put((byte) 0x81)          // V=2, P=0, FMT=1
                .put((byte) 206)           // PT=PSFB
                .putShort((short) 2)       // length in 32-bit words minus one
                .putInt(senderSsrc)
                .putInt(mediaSsrc)
                .array();
    }
}
