package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send time the edge stamps on each viewer's video, and the estimate a viewer's receiver sends back. */
class AbsSendTimeTest {

    /** A VP8 keyframe's first packet: RTP header (with {@code csrcs} CSRCs), VP8 descriptor, a key frame's first byte. */
    private static byte[] vp8Keyframe(int csrcs) {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * csrcs + 3);
        b.put((byte) (0x80 | csrcs)).put((byte) (0x80 | 96)).putShort((short) 1000).putInt(90_000).putInt(0x11223344);
        for (int i = 0; i < csrcs; i++) {
            b.putInt(i + 1);
        }
        b.put((byte) 0x10).put((byte) 0x00).put((byte) 0x9D); // S bit, partition 0; P bit clear: a key frame
        return b.array();
    }

    @Test
    void theValueIsSixPointEighteenSecondsWrappingAt64() {
        assertEquals(1 << 18, AbsSendTime.value(1_000_000_000L));
        assertEquals(1 << 17, AbsSendTime.value(500_000_000L));
        assertEquals(AbsSendTime.value(1_000_000_000L), AbsSendTime.value(65_000_000_000L), "64 s wrap");
        assertEquals(0xFFFFFF, AbsSendTime.value(64_000_000_000L - 1) | 0x3, "just below the wrap: all bits set, to rounding");
    }

    @Test
    void aStampedPacketCarriesTheExtensionAndTheSamePayload() {
        for (int csrcs : new int[]{0, 2}) {
            byte[] packet = vp8Keyframe(csrcs);
            byte[] stamped = AbsSendTime.stamped(packet, 3, 1_500_000_000L);
            int header = 12 + 4 * csrcs;
            assertEquals(packet.length + 8, stamped.length);
            assertEquals(0x10, stamped[0] & 0x10, "the X bit");
            assertEquals(csrcs, stamped[0] & 0x0F, "the CSRC count stays");
            assertArrayEquals(Arrays.copyOfRange(packet, 1, header), Arrays.copyOfRange(stamped, 1, header));
            assertArrayEquals(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 1, 0x32}, Arrays.copyOfRange(stamped, header, header + 5),
                    "one-byte header profile, one word, element id 3 of 3 bytes");
            int value = ((stamped[header + 5] & 0xFF) << 16) | ((stamped[header + 6] & 0xFF) << 8) | (stamped[header + 7] & 0xFF);
            assertEquals(AbsSendTime.value(1_500_000_000L), value);
            assertArrayEquals(Arrays.copyOfRange(packet, header, packet.length), Arrays.copyOfRange(stamped, header + 8, stamped.length));
            assertEquals(Vp8.payloadOffset(packet) + 8, Vp8.payloadOffset(stamped));
            assertTrue(Vp8.startsKeyframe(stamped), "the codec still finds the key frame");
        }
    }

    @Test
    void aSourcesOwnExtensionsAreReplacedAndATooShortPacketIsCopied() {
        byte[] plain = vp8Keyframe(0);
        byte[] fromSource = AbsSendTime.stamped(plain, 5, 0);
        assertArrayEquals(AbsSendTime.stamped(plain, 3, 1_000), AbsSendTime.stamped(fromSource, 3, 1_000),
                "the source's element 5 is gone, the edge's element 3 is the only one");
        assertArrayEquals(plain, HeaderExtensions.stripped(fromSource));
        byte[] toViewerWithout = new RtpRewriter(7, 96, 0).rewrite(fromSource, 0);
        assertEquals(plain.length, toViewerWithout.length, "a viewer without abs-send-time gets no extension at all");
        assertEquals(0, toViewerWithout[0] & 0x10);
        byte[] tooShort = {(byte) 0x8F, 96, 0, 1};
        assertArrayEquals(tooShort, AbsSendTime.stamped(tooShort, 3, 1_000));
    }

    @Test
    void theRewriterStampsOnlyForAViewerThatAgreed() {
        byte[] packet = vp8Keyframe(0);
        assertEquals(packet.length, new RtpRewriter(7, 96).rewrite(packet, 5).length);
        byte[] stamped = new RtpRewriter(7, 96, 3).rewrite(packet, 5);
        assertEquals(packet.length + 8, stamped.length);
        assertEquals(7, ByteBuffer.wrap(stamped, 8, 4).getInt(), "the viewer's SSRC");
    }

    @Test
    void rembGivesTheReceiversEstimate() {
        // PSFB (206) FMT 15, "REMB", one SSRC, exponent 2, mantissa 150,000: 600,000 bit/s.
        ByteBuffer remb = ByteBuffer.allocate(24).put((byte) 0x8F).put((byte) 206).putShort((short) 5).putInt(1).putInt(0)
                .put("REMB".getBytes()).put((byte) 1).put((byte) (2 << 2 | 150_000 >>> 16)).putShort((short) (150_000 & 0xFFFF))
                .putInt(0x11223344);
        byte[] receiverReport = Rtcp.receiverReport(1, java.util.List.of());
        byte[] compound = ByteBuffer.allocate(receiverReport.length + 24).put(receiverReport).put(remb.array()).array();
        assertEquals(600_000, RtcpFeedback.parse(compound).estimateBps());
        assertEquals(-1, RtcpFeedback.parse(receiverReport).estimateBps(), "no REMB, no estimate");
        byte[] notRemb = remb.array().clone();
        notRemb[12] = 'X';
        assertEquals(-1, RtcpFeedback.parse(notRemb).estimateBps(), "another application's feedback");
        assertEquals(-1, RtcpFeedback.parse(Arrays.copyOf(remb.array(), 20)).estimateBps(), "truncated");
    }
}
