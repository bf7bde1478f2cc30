package p2pedge.media.demo;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TestPatternTest {

    private record Planes(ByteBuffer y, int strideY, ByteBuffer u, ByteBuffer v, int strideC) {
        static Planes of(int width, int height, int pad) {
            int strideC = (width + 1) / 2 + pad;
            return new Planes(ByteBuffer.allocateDirect((width + pad) * height), width + pad,
                    ByteBuffer.allocateDirect(strideC * (height + 1) / 2), ByteBuffer.allocateDirect(strideC * (height + 1) / 2), strideC);
        }
    }

    private static Planes render(TestPattern pattern, long frame, int pad) {
        Planes p = Planes.of(pattern.width(), pattern.height(), pad);
        pattern.render(frame, 1_700_000_000_123L, "app/stream", p.y(), p.strideY(), p.u(), p.strideC(), p.v(), p.strideC());
        return p;
    }

    @Test
    void frameNumbersReadBack() {
        for (int[] size : new int[][]{{640, 360}, {320, 180}, {160, 64}}) {
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
    void consecutiveFramesDiffer() {
        TestPattern pattern = new TestPattern(640, 360);
        assertFalse(render(pattern, 7, 0).y().equals(render(pattern, 8, 0).y()));
    }

    @Test
    void rejectsOddOrTinySizes() {
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(641, 360));
        assertThrows(IllegalArgumentException.class, () -> new TestPattern(158, 64));
    }
}
