package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayWindowTest {

    @Test
    void takesEachIndexOnceWithinItsSizeBehindTheHighest() {
        ReplayWindow window = new ReplayWindow(-1, 128);
        window.take(1_000);
        assertFalse(window.fresh(1_000), "taken");
        assertTrue(window.fresh(1_000 - 127), "as far behind as it reaches");
        assertFalse(window.fresh(1_000 - 128), "one further");
        window.take(1_000 - 127);
        assertFalse(window.fresh(1_000 - 127));
        window.take(1_001);
        assertFalse(window.fresh(1_000 - 127), "now too far behind");
        assertTrue(window.fresh(1_000 - 126), "never taken");
        assertEquals(1_001, window.highest());
    }

    @Test
    void slotsReusedAsTheWindowMovesOnAreFreeAgain() {
        ReplayWindow window = new ReplayWindow(-1, 64);
        for (long i = 0; i < 64; i++) {
            window.take(i);
        }
        window.take(100); // 64 .. 99 skipped: their slots held 0 .. 35, taken
        for (long i = 64; i < 100; i++) {
            assertTrue(window.fresh(i), "skipped, never taken: " + i);
        }
        assertFalse(window.fresh(36), "100 - 36 = 64: out of the window");
        window.take(10_000); // beyond a whole window: all of it free
        assertTrue(window.fresh(10_000 - 63));
        assertFalse(window.fresh(10_000));
    }

    @Test
    void aWindowOfAnyIndexSpacingWorksTheSameAsItsOwnSizeSays() {
        for (int size : new int[]{64, 128, 1_024}) {
            ReplayWindow window = new ReplayWindow(0, size);
            assertTrue(window.fresh(0), "index 0 is new as the first packet");
            window.take(0);
            window.take(size * 3L + 5);
            assertTrue(window.fresh(size * 2L + 6));
            assertFalse(window.fresh(size * 2L + 5));
        }
    }

    @Test
    void aSizeThatIsNotAPowerOfTwoOfAtLeast64IsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(0, 32));
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(0, 100));
    }
}
