package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        assertArrayEquals(new int[]{65535, 0, 2}, feedback.lostSequences());
        assertFalse(RtcpFeedback.parse(receiverReport).keyframe());
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
}
