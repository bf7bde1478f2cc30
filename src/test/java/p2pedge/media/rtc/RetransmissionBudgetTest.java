package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pedge.media.rtc.RetransmissionBudget.Verdict.OVER_BUDGET;
import static p2pedge.media.rtc.RetransmissionBudget.Verdict.REPEATED;
import static p2pedge.media.rtc.RetransmissionBudget.Verdict.SEND;

/** Each NACKed packet once per round trip, all of them within a share of the stream's rate: in milliseconds of a fake clock. */
class RetransmissionBudgetTest {

    private static final long MS = 1_000_000;

    @Test
    void aPacketIsResentOncePerWindowHoweverOftenItIsNamed() {
        AtomicLong now = new AtomicLong(5_000 * MS);
        RetransmissionBudget budget = new RetransmissionBudget(128, 100, now::get);
        assertEquals(SEND, budget.admit(7, 1_000, 100_000));
        for (int i = 0; i < 300; i++) {
            assertEquals(REPEATED, budget.admit(7, 1_000, 100_000), "the same entry again in one NACK");
        }
        now.addAndGet(99 * MS);
        assertEquals(REPEATED, budget.admit(7, 1_000, 100_000), "asked again within the window");
        now.addAndGet(1 * MS);
        assertEquals(SEND, budget.admit(7, 1_000, 100_000), "once the window is over, a lost resend can be asked for again");
    }

    @Test
    void theWindowFollowsTheMeasuredRoundTripAboveItsFloorAndBelowItsCap() {
        AtomicLong now = new AtomicLong();
        RetransmissionBudget budget = new RetransmissionBudget(128, 100, now::get);
        budget.roundTrip(5 * MS);
        assertEquals(100 * MS, budget.windowNanos(), "loopback RTTs do not shorten it below the floor");
        budget.roundTrip(300 * MS);
        assertEquals(SEND, budget.admit(1, 100, 100_000));
        now.addAndGet(250 * MS);
        assertEquals(REPEATED, budget.admit(1, 100, 100_000), "a 300 ms round trip: not before 300 ms");
        now.addAndGet(50 * MS);
        assertEquals(SEND, budget.admit(1, 100, 100_000));
        budget.roundTrip(60_000 * MS);
        assertEquals(1_000 * MS, budget.windowNanos(), "capped: a viewer cannot claim a minute-long RTT");
    }

    @Test
    void resendsStayWithinTheBudgetAfterOneSecondsBurst() {
        AtomicLong now = new AtomicLong();
        RetransmissionBudget budget = new RetransmissionBudget(128, 100, now::get);
        double bytesPerSecond = 10_000; // e.g. 10 % of 100 kB/s
        int sent = 0;
        int sequence = 0;
        // Five seconds of a viewer NACKing a new 1,000-byte packet every millisecond.
        for (int ms = 0; ms < 5_000; ms++, now.addAndGet(MS)) {
            RetransmissionBudget.Verdict verdict = budget.admit(sequence++ & 0xFFFF, 1_000, bytesPerSecond);
            if (verdict == SEND) {
                sent++;
            } else {
                assertEquals(OVER_BUDGET, verdict);
            }
        }
        // A burst of one second's worth (10 packets), then 10 per second.
        assertEquals(10 + 50, sent, 1);
    }

    @Test
    void aBudgetOfNothingResendsNothing() {
        RetransmissionBudget budget = new RetransmissionBudget(128, 100, () -> 0);
        assertEquals(OVER_BUDGET, budget.admit(1, 1, 0));
    }

    @Test
    void itsMemoryIsBoundedByTheCacheItGuards() {
        AtomicLong now = new AtomicLong();
        RetransmissionBudget budget = new RetransmissionBudget(128, 100, now::get);
        assertEquals(SEND, budget.admit(1, 10, 1e9));
        assertEquals(SEND, budget.admit(129, 10, 1e9), "the same slot, a newer packet");
        assertEquals(SEND, budget.admit(1, 10, 1e9), "the older one is forgotten (the cache no longer holds it either)");
    }
}
