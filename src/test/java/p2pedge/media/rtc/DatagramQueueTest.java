package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handshake transport's stall timeout and close, on a made-up clock (milliseconds). */
class DatagramQueueTest {

    @Test
    void aReadFailsOnceThePeerWasSilentForTheStallTimeout() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        DatagramQueue queue = new DatagramQueue(bytes -> { }, 3_000, now::get);
        byte[] buffer = new byte[1500];
        assertTrue(queue.offer(new byte[]{22, 1, 2}));
        assertEquals(3, queue.receive(buffer, 0, buffer.length, 10));
        now.addAndGet(2_999);
        assertEquals(-1, queue.receive(buffer, 0, buffer.length, 1), "silent for less than the stall: an ordinary timeout");
        now.addAndGet(1);
        IOException stalled = assertThrows(IOException.class, () -> queue.receive(buffer, 0, buffer.length, 10_000));
        assertTrue(stalled.getMessage().contains("silent"), stalled.getMessage());
    }

    @Test
    void aDatagramResetsTheStallAndCloseWakesAWaitingReaderAtOnce() throws Exception {
        AtomicLong now = new AtomicLong(0);
        DatagramQueue queue = new DatagramQueue(bytes -> { }, 3_000, now::get);
        byte[] buffer = new byte[1500];
        now.set(2_500);
        queue.offer(new byte[]{22});
        now.set(5_000);
        assertEquals(1, queue.receive(buffer, 0, buffer.length, 10), "a datagram 2.5 s ago: not stalled");
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.close();
        });
        long started = System.nanoTime();
        closer.start();
        assertThrows(IOException.class, () -> queue.receive(buffer, 0, buffer.length, 500));
        closer.join();
        assertTrue((System.nanoTime() - started) / 1_000_000 < 400, "the reader woke at close, not at its timeout");
        assertEquals(false, queue.offer(new byte[]{22}), "a closed queue takes nothing");
    }

    @Test
    void timeSpentWaitingForAThreadIsNotThePeersSilence() throws Exception {
        AtomicLong now = new AtomicLong(0);
        DatagramQueue queue = new DatagramQueue(bytes -> { }, 3_000, now::get);
        byte[] buffer = new byte[1500];
        queue.offer(new byte[]{22, 1});
        now.set(4_000); // the handshake waited 4 s in the pool's queue
        queue.begin();
        assertEquals(2, queue.receive(buffer, 0, buffer.length, 10), "the ClientHello");
        now.set(6_999);
        assertEquals(-1, queue.receive(buffer, 0, buffer.length, 1), "2,999 ms since the handshake began: not stalled");
        now.set(7_000);
        assertThrows(IOException.class, () -> queue.receive(buffer, 0, buffer.length, 10));
    }
}
