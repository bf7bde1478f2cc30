package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyframeBudgetTest {

    private static final long MS = 1_000_000;

    @Test
    void oneHonouredRequestPerIntervalExceptWhileWaitingForTheFirstKeyframe() {
        AtomicLong now = new AtomicLong(77 * MS);
        KeyframeBudget budget = new KeyframeBudget(2_000, now::get);
        for (int i = 0; i < 10; i++) {
            assertTrue(budget.admit(true), "a viewer with no picture yet is always heard");
        }
        assertTrue(budget.admit(false), "the first request of a playing viewer");
        int honoured = 0;
        // 50 PLIs a second for 5 s.
        for (int i = 0; i < 250; i++, now.addAndGet(20 * MS)) {
            honoured += budget.admit(false) ? 1 : 0;
        }
        assertEquals(2, honoured, "after the first: one at 2 s and one at 4 s");
        assertTrue(budget.admit(true), "waiting again (e.g. re-synced): heard at once");
    }

    @Test
    void noIntervalMeansNoLimit() {
        KeyframeBudget budget = new KeyframeBudget(0, () -> 0);
        for (int i = 0; i < 5; i++) {
            assertTrue(budget.admit(false));
        }
    }

    @Test
    void aRequestJustBeforeTheIntervalEndsIsRefused() {
        AtomicLong now = new AtomicLong();
        KeyframeBudget budget = new KeyframeBudget(1_000, now::get);
        assertTrue(budget.admit(false));
        now.addAndGet(999 * MS);
        assertFalse(budget.admit(false));
        now.addAndGet(MS);
        assertTrue(budget.admit(false));
    }
}
