package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportSequenceTest {

    private static final long MS = 1_000_000;

    /** Feedback naming {@code count} packets from {@code base}, every {@code lostEvery}-th lost (0: none). */
    private static TransportFeedback feedback(int base, int count, int lostEvery) {
        long[] arrivals = new long[count];
        for (int i = 0; i < count; i++) {
            arrivals[i] = lostEvery > 0 && i % lostEvery == lostEvery - 1 ? TransportFeedback.LOST : i * 1_000L;
        }
        return new TransportFeedback(base, 0, arrivals);
    }

    @Test
    void whatTheFeedbackSaysArrivedIsTheDeliveredRate() {
        AtomicLong now = new AtomicLong(5_000 * MS);
        TransportSequence sequence = new TransportSequence(now::get);
        assertEquals(-1, sequence.deliveredBps(), "nothing before a second of feedback");
        // 100 packets of 1,000 bytes a second, reported every 100 ms; one in ten lost.
        int next = 0;
        for (int tick = 0; tick < 11; tick++) {
            for (int p = 0; p < 10; p++) {
                assertEquals(next++ & 0xFFFF, sequence.next(1_000));
            }
            now.addAndGet(100 * MS);
            sequence.onFeedback(feedback(next - 10, 10, 10));
        }
        assertEquals(720_000, sequence.deliveredBps(), 1_000, "9 of 10 packets of 8,000 bits, ten times a second");
        assertEquals(0.1, sequence.lossFraction(), 1e-9);
    }

    @Test
    void packetsTheEdgeDidNotSendOrReportedTwiceAreNotCounted() {
        AtomicLong now = new AtomicLong();
        TransportSequence sequence = new TransportSequence(now::get);
        for (int i = 0; i < 10; i++) {
            sequence.next(500);
        }
        sequence.onFeedback(feedback(0, 10, 0));
        sequence.onFeedback(feedback(0, 10, 0)); // the same report again
        sequence.onFeedback(feedback(30_000, 200, 0)); // numbers never sent
        now.addAndGet(1_000 * MS);
        sequence.onFeedback(feedback(10, 1, 0));
        assertEquals(40_000, sequence.deliveredBps(), "10 packets of 4,000 bits, once, in the second");
    }

    @Test
    void theNumberingWrapsAndTheHistoryIsBounded() {
        AtomicLong now = new AtomicLong();
        TransportSequence sequence = new TransportSequence(now::get);
        int last = 0;
        for (int i = 0; i < 70_000; i++) {
            last = sequence.next(100);
        }
        assertEquals((70_000 - 1) & 0xFFFF, last);
        // Feedback on a packet that left the history long ago is ignored.
        sequence.onFeedback(feedback(0, 1, 0));
        now.addAndGet(1_000 * MS);
        sequence.onFeedback(new TransportFeedback(0, 0, new long[0]));
        assertEquals(0, sequence.deliveredBps());
    }

    @Test
    void aQueueBuildingOnThePathShowsAsDelayAboveTheLowestSeen() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        TransportSequence sequence = new TransportSequence(now::get);
        long clockOffsetMicros = 7_000_000_000L; // the viewer's clock is anywhere
        // Ten packets 10 ms apart: the first five take 20 ms, then each one 15 ms longer than the one before.
        long[] arrivals = new long[10];
        for (int i = 0; i < 10; i++) {
            sequence.next(1_000);
            long delayMs = i < 5 ? 20 : 20 + 15 * (i - 4);
            arrivals[i] = clockOffsetMicros + (now.get() / 1_000) + delayMs * 1_000;
            now.addAndGet(10 * MS);
        }
        sequence.onFeedback(new TransportFeedback(0, 0, java.util.Arrays.copyOf(arrivals, 5)));
        assertEquals(0, sequence.queueingMicros(), "no queue yet");
        sequence.onFeedback(new TransportFeedback(5, 1, java.util.Arrays.copyOfRange(arrivals, 5, 10)));
        assertEquals(75_000, sequence.queueingMicros(), "the slowest is 75 ms over the path's own delay");
    }

    @Test
    void aBurstThatQueuesAtTheNarrowestLinkMeasuresItsRateAndSpacedPacketsDoNot() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        TransportSequence sequence = new TransportSequence(now::get);
        // 20 packets 20 ms apart on a 1 Mbit/s link (9.6 ms each): none waits for another, so nothing is measured.
        long[] spaced = new long[20];
        for (int i = 0; i < 20; i++) {
            sequence.next(1_200);
            spaced[i] = now.get() / 1_000 + 30_000;
            now.addAndGet(20 * MS);
        }
        sequence.onFeedback(new TransportFeedback(0, 0, spaced));
        assertEquals(-1, sequence.bottleneckBps(), "no packet queued");
        // A keyframe: 30 packets at once; the link lets one through every 9.6 ms.
        long burstAt = now.get() / 1_000;
        long[] burst = new long[30];
        for (int i = 0; i < 30; i++) {
            sequence.next(1_200);
            burst[i] = burstAt + 30_000 + i * 9_600L;
        }
        sequence.onFeedback(new TransportFeedback(20, 1, burst));
        assertEquals(1_000_000, sequence.bottleneckBps(), 1_000, "1,200 bytes every 9.6 ms");
        assertEquals(sequence.last(), 49, "the number given last");
        now.addAndGet(TransportSequence.BOTTLENECK_MAX_AGE_NANOS + MS);
        assertEquals(-1, sequence.bottleneckBps(), "forgotten when not measured again for long");
    }

    @Test
    void aPacketThatWaitedToBePacedIsTimedFromWhenItLeft() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        TransportSequence sequence = new TransportSequence(now::get);
        // Ten packets numbered 10 ms apart, each 20 ms on the path; the last five waited 50 ms at the edge first.
        long[] arrivals = new long[10];
        for (int i = 0; i < 10; i++) {
            int number = sequence.next(1_000);
            long left = now.get() + (i < 5 ? 0 : 50 * MS);
            if (i >= 5) {
                sequence.sentAt(number, left);
            }
            arrivals[i] = left / 1_000 + 20_000;
            now.addAndGet(10 * MS);
        }
        sequence.sentAt(60_000, now.get()); // a number not sent: nothing
        sequence.onFeedback(new TransportFeedback(0, 0, arrivals));
        assertEquals(0, sequence.queueingMicros(), "waiting at the edge is not a queue on the path");
    }
}
