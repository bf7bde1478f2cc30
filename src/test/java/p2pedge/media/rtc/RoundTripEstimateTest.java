package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoundTripEstimateTest {

    @Test
    void theFirstSampleSetsTheEstimateAndLaterOnesMoveItByAnEighth() {
        RoundTripEstimate rtt = new RoundTripEstimate();
        assertEquals(-1, rtt.smoothedMillis());
        assertEquals(50, rtt.timeoutMillis(50, 1_000), "the floor before any sample");
        rtt.sample(80);
        assertEquals(80, rtt.smoothedMillis());
        assertEquals(240, rtt.timeoutMillis(50, 1_000), "80 + 4 x 40");
        rtt.sample(160);
        assertEquals(90, rtt.smoothedMillis(), 1e-9, "80 + (160 - 80) / 8");
        assertEquals(90 + 4 * 50, rtt.timeoutMillis(50, 1_000), "variation 3/4 x 40 + 1/4 x 80 = 50");
    }

    @Test
    void steadySamplesShrinkTheMarginAndTheBoundsHold() {
        RoundTripEstimate rtt = new RoundTripEstimate();
        for (int i = 0; i < 100; i++) {
            rtt.sample(40);
        }
        assertEquals(40, rtt.timeoutMillis(10, 1_000), "no variation left: the round trip itself");
        assertEquals(100, rtt.timeoutMillis(100, 1_000), "floor");
        assertEquals(30, rtt.timeoutMillis(10, 30), "cap");
        rtt.sample(-5);
        assertEquals(40, rtt.smoothedMillis(), 1e-9, "a negative sample is ignored");
    }
}
