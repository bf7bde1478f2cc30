package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceNumbersTest {

    @Test
    void distanceCountsOnPastTheWrap() {
        assertEquals(3, SequenceNumbers.distance(10, 13));
        assertEquals(2, SequenceNumbers.distance(65_535, 1));
        assertEquals(65_533, SequenceNumbers.distance(13, 10), "behind: the long way round");
        assertEquals(0, SequenceNumbers.distance(7, 7));
    }

    @Test
    void newerMeansLessThanHalfTheSpaceAhead() {
        assertTrue(SequenceNumbers.newer(1, 65_535), "across the wrap");
        assertFalse(SequenceNumbers.newer(65_535, 1));
        assertFalse(SequenceNumbers.newer(5, 5), "the same is not newer");
        assertTrue(SequenceNumbers.newer(0x7FFF, 0), "just under half ahead");
        assertFalse(SequenceNumbers.newer(0x8000, 0), "half ahead counts as behind");
    }
}
