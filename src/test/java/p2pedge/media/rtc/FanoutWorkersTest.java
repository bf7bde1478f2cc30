package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fan-out's slices cover every viewer once, small ones stay on the caller, and a failing slice is reported. */
class FanoutWorkersTest {

    @Test
    void slicesCoverEveryViewerOnceAndSmallFanOutsStayOnTheCaller() {
        try (FanoutWorkers workers = new FanoutWorkers(3, Runnable::run)) {
            for (int count : new int[]{0, 1, 63, 64, 127, 128, 191, 192, 1_000, 1_001}) {
                AtomicIntegerArray visits = new AtomicIntegerArray(Math.max(1, count));
                Set<String> threads = ConcurrentHashMap.newKeySet();
                workers.run(count, (slice, from, to) -> {
                    threads.add(Thread.currentThread().getName());
                    for (int i = from; i < to; i++) {
                        visits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertEquals(1, visits.get(i), count + " viewers: viewer " + i);
                }
                int expected = Math.max(1, Math.min(3, count / FanoutWorkers.MIN_SLICE));
                assertEquals(expected, workers.slices(count), count + " viewers");
                // The caller and, when cut, at least one helper (a helper done early may take the next slice too).
                assertTrue(threads.size() == Math.min(expected, 2) || threads.size() == expected, count + " viewers: " + threads);
                assertTrue(threads.contains(Thread.currentThread().getName()), "the caller runs the first slice");
            }
        }
    }

    @Test
    void aSliceThatThrowsIsRethrownAfterTheOthersFinished() {
        try (FanoutWorkers workers = new FanoutWorkers(2, Runnable::run)) {
            IllegalStateException thrown = new IllegalStateException("a viewer's state was bad");
            AtomicIntegerArray done = new AtomicIntegerArray(2);
            IllegalStateException caught = assertThrows(IllegalStateException.class, () -> workers.run(200, (slice, from, to) -> {
                if (slice == 1) {
                    throw thrown;
                }
                done.set(0, 1);
            }));
            assertSame(thrown, caught);
            assertEquals(1, done.get(0), "the caller's own slice ran");
            workers.run(200, (slice, from, to) -> done.set(slice, 1)); // and the workers still work
            assertEquals(1, done.get(1));
        }
    }
}
