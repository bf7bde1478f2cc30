package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtcpFeedbackTest {

    @Test
    void readsNacksAndKeyframeRequestsOutOfACompoundPacket() {
        byte[] receiverReport = ByteBuffer.allocate(8).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(7).array();
        byte[] nack = ByteBuffer.allocate(16).put((byte) 0x81).put((byte) 205).putShort((short) 3).putInt(7).putInt(9)
                .putShort((short) 65535).putShort((short) 0b101).array(); // 65535, then 0 and 2 (wrapping)
        byte[] compound = ByteBuffer.allocate(8 + 16 + 12).put(receiverReport).put(nack).put(Rtcp.pli(7, 9)).array();
        RtcpFeedback feedback = RtcpFeedback.parse(compound);
        assertTrue(feedback.keyframe());
        assertEquals(java.util.List.of(9), feedback.keyframeSsrcs(), "the PLI's media SSRC");
        assertArrayEquals(new int[]{65535, 0, 2}, feedback.lostSequences());
        assertFalse(RtcpFeedback.parse(receiverReport).keyframe());
    }

    @Test
    void namesTheLayersAPullAsksKeyframesOfOnceEach() {
        byte[] fir = ByteBuffer.allocate(20).put((byte) 0x84).put((byte) 206).putShort((short) 4).putInt(7).putInt(0)
                .putInt(11).putInt(0x05000000).array(); // FCI: SSRC 11, sequence 5
        byte[] compound = ByteBuffer.allocate(12 * 2 + 20).put(Rtcp.pli(7, 9)).put(fir).put(Rtcp.pli(7, 9)).array();
        assertEquals(java.util.List.of(9, 11), RtcpFeedback.parse(compound).keyframeSsrcs());
        byte[] shortFir = ByteBuffer.allocate(12).put((byte) 0x84).put((byte) 206).putShort((short) 2).putInt(7).putInt(0).array();
        assertFalse(RtcpFeedback.parse(shortFir).keyframe(), "a FIR without its entry names no SSRC: ignored");
    }

    @Test
    void malformedPacketsYieldNothingAndNeverThrow() {
        Random random = new Random(5);
        for (int i = 0; i < 5_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            RtcpFeedback.parse(junk);
        }
        byte[] lying = ByteBuffer.allocate(8).put((byte) 0x81).put((byte) 205).putShort((short) 200).putInt(1).array();
        assertArrayEquals(new int[0], RtcpFeedback.parse(lying).lostSequences(), "a length past the end is not read");
    }

    @Test
    void readsTheReportBlocksOfReceiverReports() {
        byte[] rr = ByteBuffer.allocate(8 + 24).put((byte) 0x81).put((byte) 201).putShort((short) 7).putInt(7)
                .putInt(42).putInt((3 << 24) | 0xFFFFFF).putInt(0x10005).putInt(9).putInt(0xABCDEF01).putInt(655).array();
        RtcpFeedback feedback = RtcpFeedback.parse(rr);
        assertEquals(1, feedback.reports().size());
        Rtcp.ReportBlock block = feedback.reports().get(0);
        assertEquals(42, block.ssrc());
        assertEquals(3, block.fractionLost());
        assertEquals(-1, block.cumulativeLost());
        assertEquals(0xABCDEF01L, block.lastSenderReport());
        assertEquals(655, block.delaySinceLastSenderReport());
        byte[] claimsTwo = ByteBuffer.allocate(8 + 24).put((byte) 0x82).put((byte) 201).putShort((short) 7).putInt(7).array();
        assertEquals(1, RtcpFeedback.parse(claimsTwo).reports().size(), "blocks past the packet's length are not read");
    }

    @Test
    void theEdgesOwnNacksReadBackAsTheSequencesAskedFor() {
        int[] asked = {65_530, 65_535, 0, 14, 15, 16, 40, 41};
        byte[] nack = Rtcp.nack(7, 9, asked);
        assertEquals(12 + 4 * 3, nack.length, "65530 with 65535 and 0 in its mask, 14 with 15 and 16, 40 with 41");
        assertArrayEquals(asked, RtcpFeedback.parse(nack).lostSequences());
        assertEquals(9, RtcpFeedback.parse(nack).nacks().get(0).mediaSsrc(), "of the media SSRC named");
        assertArrayEquals(new int[]{5}, RtcpFeedback.parse(Rtcp.nack(7, 9, new int[]{5})).lostSequences());
    }
}
