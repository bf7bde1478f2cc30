package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RtpRewriterTest {

    private static byte[] rtp(int sequence, long timestamp) {
        return ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) sequence).putInt((int) timestamp)
                .putInt(0xAAAAAAAA).putInt(0x01020304).array();
    }

    private static int sequence(byte[] p) {
        return ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
    }

    private static long timestamp(byte[] p) {
        return ByteBuffer.wrap(p, 4, 4).getInt() & 0xFFFFFFFFL;
    }

    @Test
    void aViewerGetsItsOwnSsrcAndNumbersThatFollowTheSourcesStepsAcrossWraps() {
        RtpRewriter rewriter = new RtpRewriter(0x12345678);
        byte[] first = rewriter.rewrite(rtp(65534, 0xFFFFFF00L));
        assertEquals(0x12345678, ByteBuffer.wrap(first, 8, 4).getInt());
        byte[] later = rewriter.rewrite(rtp(3, 0x00000100L)); // both wrapped: +5 packets, +0x200 ticks
        assertEquals((sequence(first) + 5) & 0xFFFF, sequence(later));
        assertEquals((timestamp(first) + 0x200) & 0xFFFFFFFFL, timestamp(later));
        assertArrayEquals(new byte[]{1, 2, 3, 4}, java.util.Arrays.copyOfRange(later, 12, 16), "payload untouched");
    }

    @Test
    void theSourcePacketIsNotModifiedAndViewersAreIndependent() {
        byte[] source = rtp(100, 9000);
        byte[] copy = source.clone();
        RtpRewriter a = new RtpRewriter(1);
        RtpRewriter b = new RtpRewriter(2);
        a.rewrite(source);
        b.rewrite(source);
        assertArrayEquals(copy, source);
        assertEquals(2, ByteBuffer.wrap(b.rewrite(rtp(101, 9090)), 8, 4).getInt());
    }
}
