package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where H.264 keyframes start in RTP (RFC 6184): single NAL units, STAP-A aggregates, FU-A fragments. */
class H264Test {

    private static byte[] rtp(int... payload) {
        byte[] packet = new byte[12 + payload.length];
        packet[0] = (byte) 0x80;
        packet[1] = 102;
        for (int i = 0; i < payload.length; i++) {
            packet[12 + i] = (byte) payload[i];
        }
        return packet;
    }

    @Test
    void keyframeStartsAreFoundInEveryPacketization() {
        assertTrue(H264.startsKeyframe(rtp(0x65, 0x88)), "single IDR slice");
        assertTrue(H264.startsKeyframe(rtp(0x67, 0x42)), "single SPS");
        // STAP-A holding SPS (2 bytes) and PPS (2 bytes): libwebrtc's first packet of a keyframe.
        assertTrue(H264.startsKeyframe(rtp(0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xCE)));
        assertTrue(H264.startsKeyframe(rtp(0x7C, 0x85, 0x88)), "FU-A, start bit, IDR");

        assertFalse(H264.startsKeyframe(rtp(0x41, 0x9A)), "non-IDR slice");
        assertFalse(H264.startsKeyframe(rtp(0x7C, 0x05, 0x88)), "FU-A continuation of an IDR");
        assertFalse(H264.startsKeyframe(rtp(0x7C, 0x81, 0x9A)), "FU-A start of a non-IDR slice");
        assertFalse(H264.startsKeyframe(rtp(0x78, 0, 2, 0x68, 0xCE)), "STAP-A with only a PPS");
        assertFalse(H264.startsKeyframe(rtp(0x78, 0, 9, 0x67)), "STAP-A whose size runs past the packet");
        assertFalse(H264.startsKeyframe(rtp()), "no payload");
        assertFalse(H264.startsKeyframe(new byte[]{(byte) 0x80, 102}), "too short");
    }

    @Test
    void codecsAreNamedAsTheConfigurationSpellsThem() {
        assertTrue(VideoCodec.of("h264").startsKeyframe(rtp(0x65)));
        assertTrue(VideoCodec.of("vp8").sdp().name().equals("VP8"));
        assertThrows(IllegalArgumentException.class, () -> VideoCodec.of("av1"));
    }
}
