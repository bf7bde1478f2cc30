package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Vp8NumberingTest {

    /** A VP8 packet whose descriptor carries a 15-bit picture id and a TL0PICIDX (as libwebrtc sends them). */
    private static byte[] packet(int pictureId, int tl0) {
        return new byte[]{(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7,
                /* X, S */ (byte) 0x90, /* I, L */ (byte) 0xC0, (byte) (0x80 | pictureId >>> 8), (byte) pictureId, (byte) tl0,
                /* payload */ 0x10, 0x02, 0x00};
    }

    private static int pictureId(byte[] rtp) {
        return ((rtp[14] & 0x7F) << 8) | (rtp[15] & 0xFF);
    }

    @Test
    void numbersRunOnFromTheLastOnesAcrossANewSource() {
        Vp8Numbering numbering = new Vp8Numbering();
        byte[] first = packet(32_766, 254);
        numbering.rewrite(first, first.length);
        assertArrayEquals(packet(32_766, 254), first, "nothing to continue from: kept as they are");
        byte[] second = packet(32_767, 255);
        numbering.rewrite(second, second.length);
        numbering.newSource();
        byte[] otherLayer = packet(1_000, 17);
        numbering.rewrite(otherLayer, otherLayer.length);
        assertEquals(0, pictureId(otherLayer), "one past the last picture id (wrapped at 15 bits)");
        assertEquals(0, otherLayer[16] & 0xFF, "one past the last TL0PICIDX (wrapped at 8 bits)");
        byte[] samePicture = packet(1_000, 17);
        numbering.rewrite(samePicture, samePicture.length);
        assertEquals(0, pictureId(samePicture), "packets of one picture keep one id");
        byte[] next = packet(1_001, 18);
        numbering.rewrite(next, next.length);
        assertEquals(1, pictureId(next));
        assertEquals(1, next[16] & 0xFF);
        assertEquals(0x80, next[14] & 0x80, "still the 15-bit form");
    }

    @Test
    void descriptorsWithoutNumbersOrCutShortAreLeftAsTheyAre() {
        Vp8Numbering numbering = new Vp8Numbering();
        byte[] plain = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, /* S only */ 0x10, 0x10, 0x02};
        byte[] copy = plain.clone();
        numbering.rewrite(copy, copy.length);
        assertArrayEquals(plain, copy);
        byte[] cut = java.util.Arrays.copyOf(packet(5, 5), 15);
        byte[] cutCopy = cut.clone();
        numbering.rewrite(cutCopy, cutCopy.length);
        assertArrayEquals(cut, cutCopy);
    }

    @Test
    void aLatePacketDoesNotMoveTheNumberingBack() {
        Vp8Numbering numbering = new Vp8Numbering();
        for (byte[] p : new byte[][]{packet(10, 3), packet(12, 4), packet(11, 3)}) { // 11 resent after 12
            numbering.rewrite(p, p.length);
        }
        numbering.newSource();
        byte[] otherLayer = packet(500, 90);
        numbering.rewrite(otherLayer, otherLayer.length);
        assertEquals(13, pictureId(otherLayer), "one past the newest picture, not the late one");
        assertEquals(5, otherLayer[16] & 0xFF);
    }
}
