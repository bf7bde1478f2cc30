package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamRateTest {

    private static final long MS = 1_000_000;

    @Test
    void measuresBytesPerSecondOverTheLastSecond() {
        AtomicLong now = new AtomicLong(123 * MS);
        StreamRate rate = new StreamRate(now::get);
        assertEquals(0, rate.bytesPerSecond(), "nothing yet");
        rate.add(1_000);
        assertEquals(5_000, rate.bytesPerSecond(), 1, "at first: what came, over at least 200 ms");
        // 100 kB/s: 1,000 bytes every 10 ms for 3 s.
        for (int i = 0; i < 300; i++) {
            now.addAndGet(10 * MS);
            rate.add(1_000);
        }
        assertEquals(100_000, rate.bytesPerSecond(), 2_000);
        // Then 20 kB/s.
        for (int i = 0; i < 200; i++) {
            now.addAndGet(50 * MS);
            rate.add(1_000);
        }
        assertEquals(20_000, rate.bytesPerSecond(), 1_000);
    }

    @Test
    void aSourceThatStopsIsSeenToStop() {
        AtomicLong now = new AtomicLong();
        StreamRate rate = new StreamRate(now::get);
        for (int i = 0; i < 300; i++) {
            now.addAndGet(10 * MS);
            rate.add(1_000);
        }
        now.addAndGet(10_000 * MS);
        assertTrue(rate.bytesPerSecond() < 10_000, "silent for 10 s: a tenth of its rate at most, and falling: " + rate.bytesPerSecond());
    }
}
