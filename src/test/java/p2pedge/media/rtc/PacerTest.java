package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacerTest {

    private static final long MS = 1_000_000;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final List<Long> sentAt = new ArrayList<>();
    private final List<byte[]> sent = new ArrayList<>();
    private final Pacer pacer = new Pacer((datagram, length) -> {
        sent.add(java.util.Arrays.copyOf(datagram, length)); // the array is the pacer's again once this returns
        sentAt.add(now.get());
    }, () -> { }, null, now::get);

    /** Drains every 10 ms for {@code millis}. */
    private void tick(long millis) {
        for (long t = 0; t < millis; t += 10) {
            now.addAndGet(10 * MS);
            pacer.drain();
        }
    }

    /** The forwarder writes every viewer's datagram into one array: what waits is the pacer's own copy. */
    @Test
    void aDatagramFromAReusedArrayLeavesAsItWasGivenAfterWaiting() {
        pacer.rate(1_000_000);
        byte[] reused = new byte[1_500];
        for (int i = 0; i < 10; i++) {
            java.util.Arrays.fill(reused, (byte) i);
            pacer.send(reused, 1_000, true);
        }
        assertTrue(pacer.queuedBytes() > 0, "some had to wait");
        java.util.Arrays.fill(reused, (byte) 99);
        tick(1_000);
        assertEquals(10, sent.size());
        for (int i = 0; i < 10; i++) {
            byte[] expected = new byte[1_000];
            java.util.Arrays.fill(expected, (byte) i);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, sent.get(i), "datagram " + i);
        }
    }

    @Test
    void unpacedEverythingGoesAtOnce() {
        for (int i = 0; i < 100; i++) {
            pacer.send(new byte[1_200], 1_200, true);
        }
        assertEquals(100, sent.size());
        assertEquals(0, pacer.queuedBytes());
    }

    @Test
    void aKeyframeBurstLeavesAtTheRateInTheOrderItCame() {
        pacer.rate(1_000_000);
        for (int i = 0; i < 40; i++) {
            byte[] packet = new byte[1_200];
            packet[0] = (byte) i;
            pacer.send(packet, packet.length, true);
        }
        assertTrue(sent.size() <= 3, "a burst of at most 20 ms of the rate at once: " + sent.size());
        assertEquals(40 * 1_200 - sent.size() * 1_200, pacer.queuedBytes());
        tick(1_000);
        assertEquals(40, sent.size(), "48 kB at 1 Mbit/s take under 400 ms");
        for (int i = 0; i < 40; i++) {
            assertEquals(i, sent.get(i)[0], "in order");
        }
        // Over any 100 ms, no more than the rate's 12.5 kB and one burst.
        for (int i = 0; i < sentAt.size(); i++) {
            long from = sentAt.get(i);
            long inWindow = sentAt.stream().filter(t -> t >= from && t < from + 100 * MS).count();
            assertTrue(inWindow * 1_200 <= 12_500 + 2_500, "at most the rate and a burst in 100 ms: " + inWindow + " packets");
        }
        assertEquals(40 - 2, pacer.delayed(), 2, "those after the first burst waited");
    }

    @Test
    void whatWaitsIsBoundedAndTheRestDroppedAndCounted() {
        pacer.rate(400_000); // half a second of it: 25 kB
        for (int i = 0; i < 100; i++) {
            pacer.send(new byte[1_200], 1_200, true);
        }
        assertTrue(pacer.queuedBytes() <= 25_000, "at most half a second of the rate waits: " + pacer.queuedBytes());
        assertEquals(100, sent.size() + pacer.queuedBytes() / 1_200 + pacer.dropped(), "every packet sent, waiting or dropped");
        assertTrue(pacer.dropped() >= 70, "the rest is dropped: " + pacer.dropped());
    }

    @Test
    void turnedOffWhatWaitedGoesFirst() {
        pacer.rate(500_000);
        for (int i = 0; i < 10; i++) {
            byte[] packet = new byte[1_000];
            packet[0] = (byte) i;
            pacer.send(packet, packet.length, true);
        }
        pacer.rate(0);
        byte[] last = new byte[100];
        last[0] = 99;
        pacer.send(last, last.length, true);
        assertEquals(11, sent.size());
        assertEquals(99, sent.get(10)[0], "after what waited");
    }

    @Test
    void aPacketThatWaitedIsTimedFromWhenItLeft() {
        TransportSequence transport = new TransportSequence(now::get);
        List<Long> left = new ArrayList<>();
        Pacer paced = new Pacer((datagram, length) -> left.add(now.get()), () -> { }, transport, now::get);
        paced.rate(500_000);
        for (int i = 0; i < 10; i++) {
            transport.next(1_200);
            paced.send(new byte[1_200], 1_200, true);
        }
        paced.send(new byte[1_200], 1_200, false); // a resend: not numbered, nothing to correct
        for (int t = 0; t < 30; t++) {
            now.addAndGet(10 * MS);
            paced.drain();
        }
        assertEquals(11, left.size(), "all left");
        assertTrue(left.get(9) - left.get(0) >= 100 * MS, "spread over more than 100 ms: " + left);
        // Each arrived 20 ms after it left the edge: timed from then, the path shows no queue.
        long[] arrivals = new long[10];
        for (int i = 0; i < 10; i++) {
            arrivals[i] = left.get(i) / 1_000 + 20_000;
        }
        transport.onFeedback(new TransportFeedback(0, 0, arrivals));
        assertEquals(0, transport.queueingMicros(), "waiting at the edge is not a queue on the path");
    }

    @Test
    void theRateIsUnderTheMeasuredLinkButNeverStarvesTheStream() {
        assertEquals(0, Pacer.rateFor(-1, 700_000), "unmeasured: unpaced");
        assertEquals(900_000, Pacer.rateFor(1_000_000, 700_000));
        assertEquals(875_000, Pacer.rateFor(500_000, 700_000), "a low measure does not hold the stream under its rate");
    }
}
