package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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

    private static byte[] rtp(int sequence, long timestamp, int ssrc) {
        byte[] packet = rtp(sequence, timestamp);
        ByteBuffer.wrap(packet).putInt(8, ssrc);
        return packet;
    }

    @Test
    void aNewSourceContinuesTheViewersNumberingAndAdvancesItsTimelineByTheGap() {
        RtpRewriter rewriter = new RtpRewriter(7);
        byte[] last = rewriter.rewrite(rtp(65535, 0xFFFFFF00L, 1));
        rewriter.newSource(90_000); // away for a second at 90 kHz
        assertEquals(java.util.OptionalLong.empty(), rewriter.timestamp(5), "no timeline for the new source before its first packet");
        byte[] first = rewriter.rewrite(rtp(31337, 123456789L, 2)); // a new publisher's numbers start anywhere
        assertEquals((sequence(last) + 1) & 0xFFFF, sequence(first), "no gap: the receiver sees no loss and NACKs nothing");
        assertEquals((timestamp(last) + 90_000) & 0xFFFFFFFFL, timestamp(first), "the timeline moved on by the time away");
        byte[] next = rewriter.rewrite(rtp(31338, 123456789L + 3000, 2));
        assertEquals((sequence(first) + 1) & 0xFFFF, sequence(next));
        assertEquals((timestamp(first) + 3000) & 0xFFFFFFFFL, timestamp(next), "then the new source's steps are followed");
        assertEquals(timestamp(next), rewriter.timestamp(123456789L + 3000).getAsLong());
    }

    /** A probe's padding: the next number in the viewer's stream, the last timestamp, and the media numbered on after it. */
    @Test
    void paddingTakesTheNextNumberAndTheTransportWideOneToo() {
        TransportSequence transport = new TransportSequence(System::nanoTime);
        RtpRewriter rewriter = new RtpRewriter(7, 96, 0, 5, transport);
        assertEquals(java.util.Optional.empty(), rewriter.padding(255, 0), "nothing before the first packet");
        byte[] media = rewriter.rewrite(rtp(100, 9_000), 0);
        byte[] padding = rewriter.padding(255, 0).orElseThrow();
        byte[] next = rewriter.rewrite(rtp(101, 12_000), 0);
        assertEquals(0x20, padding[0] & 0x20, "the P bit");
        assertEquals(255, padding[padding.length - 1] & 0xFF, "its padding length");
        assertEquals((sequence(media) + 1) & 0xFFFF, sequence(padding));
        assertEquals((sequence(media) + 2) & 0xFFFF, sequence(next), "the media go on after it");
        assertEquals(timestamp(media), timestamp(padding));
        assertEquals(7, ByteBuffer.wrap(padding, 8, 4).getInt());
        // Transport-wide numbers 0, 1, 2 in the one-byte extension (id 5, after the 4-byte block header).
        assertEquals(1, ((padding[17] & 0xFF) << 8) | (padding[18] & 0xFF));
        assertEquals(2, ((next[17] & 0xFF) << 8) | (next[18] & 0xFF));
    }

    @Test
    void aLatePacketIsNumberedAsInOrderAndTheNumbersAfterItGoOnFromTheNewest() {
        RtpRewriter rewriter = new RtpRewriter(7);
        byte[] first = rewriter.rewrite(rtp(100, 9_000));
        rewriter.rewrite(rtp(103, 9_270)); // 101 and 102 lost on the way
        byte[] late = rewriter.rewrite(rtp(101, 9_090)); // 101 resent
        assertEquals((sequence(first) + 1) & 0xFFFF, sequence(late));
        assertEquals((timestamp(first) + 90) & 0xFFFFFFFFL, timestamp(late));
        byte[] next = rewriter.rewrite(rtp(104, 9_360));
        assertEquals((sequence(first) + 4) & 0xFFFF, sequence(next), "on from the newest, not from the late one");
        assertEquals((timestamp(first) + 270) & 0xFFFFFFFFL, timestamp(rewriter.rewrite(rtp(102, 9_270))), "still placeable");
    }

    @Test
    void aLatePacketFromBeforePaddingOrANewSourceIsRefusedNotMisnumbered() {
        RtpRewriter rewriter = new RtpRewriter(7, 96);
        byte[] first = rewriter.rewrite(rtp(100, 9_000));
        rewriter.rewrite(rtp(102, 9_180)); // 101 missing
        byte[] padding = rewriter.padding(100, 0).orElseThrow();
        assertEquals((sequence(first) + 3) & 0xFFFF, sequence(padding));
        assertNull(rewriter.rewrite(rtp(101, 9_090)), "its number went to the media after it; the padding took the next");
        byte[] next = rewriter.rewrite(rtp(104, 9_360)); // 103 missing, after the padding
        assertEquals((sequence(first) + 5) & 0xFFFF, sequence(next));
        assertEquals((sequence(first) + 4) & 0xFFFF, sequence(rewriter.rewrite(rtp(103, 9_270))), "after the padding: placeable");
        rewriter.newSource(900);
        byte[] moved = rewriter.rewrite(rtp(5_000, 1, 2));
        assertEquals((sequence(first) + 6) & 0xFFFF, sequence(moved));
        assertNull(rewriter.rewrite(rtp(4_999, 0, 2)), "before the new source's first packet: nothing to number it by");
        assertEquals((sequence(first) + 7) & 0xFFFF, sequence(rewriter.rewrite(rtp(5_001, 2, 2))));
    }

    @Test
    void aPacketFarBehindTheNewestIsRefused() {
        RtpRewriter rewriter = new RtpRewriter(7);
        rewriter.rewrite(rtp(0, 0));
        rewriter.rewrite(rtp(RtpRewriter.MAX_LATE + 2, 0));
        assertNull(rewriter.rewrite(rtp(1, 0)));
        assertNotNull(rewriter.rewrite(rtp(2, 0)), "as far behind as may be sent");
    }
}
