package p2pedge.media.demo;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TestPatternTest {

    private static final long CLOCK = 1_700_000_000_123L;
    private static final byte SENTINEL = 0x55;

    /** I420 planes with {@code pad} extra bytes per row, pre-filled with a sentinel to catch stray writes. */
    private record Planes(int width, int height, ByteBuffer y, int strideY, ByteBuffer u, ByteBuffer v, int strideC) {
        static Planes of(int width, int height, int pad) {
            int strideY = width + pad;
            int strideC = (width + 1) / 2 + pad / 2;
            int chromaHeight = (height + 1) / 2;
            return new Planes(width, height, filled(strideY * height), strideY,
                    filled(strideC * chromaHeight), filled(strideC * chromaHeight), strideC);
        }

        private static ByteBuffer filled(int size) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                buffer.put(i, SENTINEL);
            }
            return buffer;
        }

        byte[] luma() {
            byte[] out = new byte[width * height];
            for (int row = 0; row < height; row++) {
                y.get(row * strideY, out, row * width, width);
            }
            return out;
        }
    }

    private static Planes render(TestPattern pattern, long frame, int pad) {
        Planes p = Planes.of(pattern.width(), pattern.height(), pad);
        pattern.render(frame, CLOCK, "app/stream", p.y(), p.strideY(), p.u(), p.strideC(), p.v(), p.strideC());
        return p;
    }

    @Test
    void frameNumbersReadBack() {
        for (int[] size : new int[][]{{640, 360}, {320, 180}, {64, 64}}) {
            TestPattern pattern = new TestPattern(size[0], size[1]);
            for (long frame : new long[]{0, 1, 12345, 0xFFFFFFFFL}) {
                for (int pad : new int[]{0, 32}) {
                    Planes p = render(pattern, frame, pad);
                    assertEquals(frame, TestPattern.decodeFrameNumber(p.y(), p.strideY(), size[0], size[1]),
                            size[0] + "x" + size[1] + " pad " + pad);
                }
            }
        }
    }

    @Test
    void frameNumberIsTheLow32Bits() {
        TestPattern pattern = new TestPattern(320, 180);
        Planes p = render(pattern, 0x1_0000_0007L, 0);
        assertEquals(7, TestPattern.decodeFrameNumber(p.y(), p.strideY(), 320, 180));
    }

    @Test
    void frameNumberSurvivesNoise() {
        TestPattern pattern = new TestPattern(640, 360);
        Planes p = render(pattern, 0xA5A5_5A5AL, 0);
        // Deterministic +-60 noise, roughly what a low-bitrate encoder does to flat blocks.
        long seed = 42;
        for (int i = 0; i < p.y().capacity(); i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int noisy = (p.y().get(i) & 0xFF) + (int) ((seed >>> 33) % 121) - 60;
            p.y().put(i, (byte) Math.max(0, Math.min(255, noisy)));
        }
        assertEquals(0xA5A5_5A5AL, TestPattern.decodeFrameNumber(p.y(), p.strideY(), 640, 360));
    }

    @Test
    void consecutiveFramesDiffer() {
        TestPattern pattern = new TestPattern(640, 360);
        assertNotEquals(render(pattern, 7, 0).y(), render(pattern, 8, 0).y());
    }

    @Test
    void paddedStridesMatchUnpaddedAndLeavePaddingAlone() {
        TestPattern pattern = new TestPattern(320, 180);
        Planes tight = render(pattern, 99, 0);
        Planes padded = render(pattern, 99, 32);
        assertEquals(ByteBuffer.wrap(tight.luma()), ByteBuffer.wrap(padded.luma()));
        for (int row = 0; row < 180; row++) {
            for (int x = 320; x < padded.strideY(); x++) {
                assertEquals(SENTINEL, padded.y().get(row * padded.strideY() + x), "luma padding row " + row);
            }
        }
        for (int row = 0; row < 90; row++) {
            for (int x = 160; x < padded.strideC(); x++) {
                assertEquals(SENTINEL, padded.u().get(row * padded.strideC() + x), "U padding row " + row);
                assertEquals(SENTINEL, padded.v().get(row * padded.strideC() + x), "V padding row " + row);
            }
        }
    }

    @Test
    void leavesPositionsAndLimitsAlone() {
        Planes p = render(new TestPattern(640, 360), 3, 0);
        for (ByteBuffer plane : new ByteBuffer[]{p.y(), p.u(), p.v()}) {
            assertEquals(0, plane.position());
            assertEquals(plane.capacity(), plane.limit());
        }
    }

    @Test
    void nullLabelAndOddInputsRender() {
        TestPattern pattern = new TestPattern(320, 180);
        Planes p = Planes.of(320, 180, 0);
        pattern.render(Long.MAX_VALUE, -1, null, p.y(), p.strideY(), p.u(), p.strideC(), p.v(), p.strideC());
        pattern.render(-5, Long.MIN_VALUE, "ünïcode & späces, much too long for the band",
                p.y(), p.strideY(), p.u(), p.strideC(), p.v(), p.strideC());
        assertEquals(-5 & 0xFFFFFFFFL, TestPattern.decodeFrameNumber(p.y(), p.strideY(), 320, 180));
    }

    @Test
    void rejectsOddOrTinySizes() {
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(641, 360));
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(640, 361));
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(62, 64));
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(64, 62));
        new TestPattern(64, 64);
    }

    @Test
    void rejectsPlanesThatAreTooSmall() {
        TestPattern pattern = new TestPattern(320, 180);
        Planes p = Planes.of(320, 180, 0);
        assertThrows(IllegalArgumentException.class, () -> pattern.render(0, CLOCK, null,
                p.y(), 319, p.u(), p.strideC(), p.v(), p.strideC()));
        assertThrows(IllegalArgumentException.class, () -> pattern.render(0, CLOCK, null,
                p.y(), p.strideY(), ByteBuffer.allocateDirect(10), p.strideC(), p.v(), p.strideC()));
    }
}
