package p2pedge.media.rtc;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ReceiveBatchTest {

    /** Long enough for loopback to have queued what was sent before it (it is usually there when send returns). */
    private static final long SETTLE_MILLIS = 100;

    @BeforeAll
    static void linux() {
        assumeTrue(ReceiveBatch.available(), "recvmmsg: Linux on 64-bit x86 or ARM");
    }

    @Test
    void aCallTakesWhatWaitsInOrderWithItsSendersUpToItsCapacityAndNeverWaits() throws Exception {
        try (DatagramChannel socket = bound("127.0.0.1"); DatagramChannel a = bound("127.0.0.1"); DatagramChannel b = bound("127.0.0.1")) {
            int fd = descriptor(socket);
            ReceiveBatch batch = new ReceiveBatch(4, 64);
            assertEquals(0, batch.receive(fd, 4), "nothing waits: nothing taken, and no wait for it");
            for (int i = 0; i < 6; i++) {
                (i % 2 == 0 ? a : b).send(ByteBuffer.wrap(datagram(i)), socket.getLocalAddress());
            }
            Thread.sleep(SETTLE_MILLIS);
            List<byte[]> data = new ArrayList<>();
            List<InetSocketAddress> senders = new ArrayList<>();
            assertEquals(4, take(batch, fd, 10, data, senders), "at most the batch's capacity");
            assertEquals(1, take(batch, fd, 1, data, senders), "at most what was asked for");
            assertEquals(1, take(batch, fd, 4, data, senders), "what is left");
            assertEquals(0, batch.receive(fd, 4), "and then nothing");
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(datagram(i), data.get(i), "datagram " + i + ", in the order sent");
                assertEquals((i % 2 == 0 ? a : b).getLocalAddress(), senders.get(i), "datagram " + i + "'s sender");
            }
            // One object per sender while the same sender goes on: its receivers compare it by identity first.
            a.send(ByteBuffer.wrap(datagram(6)), socket.getLocalAddress());
            a.send(ByteBuffer.wrap(datagram(7)), socket.getLocalAddress());
            Thread.sleep(SETTLE_MILLIS);
            assertEquals(2, batch.receive(fd, 4));
            assertSame(batch.sender(0), batch.sender(1));
        }
    }

    @Test
    void aDatagramLargerThanASlotIsLeftOutAndTheNextArrivesWhole() throws Exception {
        try (DatagramChannel socket = bound("127.0.0.1"); DatagramChannel sender = bound("127.0.0.1")) {
            int fd = descriptor(socket);
            ReceiveBatch batch = new ReceiveBatch(4, 64);
            sender.send(ByteBuffer.wrap(new byte[65]), socket.getLocalAddress());
            sender.send(ByteBuffer.wrap(datagram(9)), socket.getLocalAddress());
            Thread.sleep(SETTLE_MILLIS);
            assertEquals(2, batch.receive(fd, 4));
            assertNull(batch.data(0), "cut short by the kernel: not handed on");
            assertArrayEquals(datagram(9), batch.data(1));
        }
    }

    @Test
    void ipv6SendersAreReadBack() throws Exception {
        DatagramChannel socket;
        try {
            socket = DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0));
        } catch (java.io.IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
            return;
        }
        try (socket; DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0))) {
            int fd = descriptor(socket);
            ReceiveBatch batch = new ReceiveBatch(4, 64);
            sender.send(ByteBuffer.wrap(datagram(3)), socket.getLocalAddress());
            Thread.sleep(SETTLE_MILLIS);
            assertEquals(1, batch.receive(fd, 4));
            assertArrayEquals(datagram(3), batch.data(0));
            assertEquals(sender.getLocalAddress(), batch.sender(0));
        }
    }

    /**
     * Asked for, the kernel stamps each datagram as it comes in: one read {@link #SETTLE_MILLIS} after the send gives
     * an arrival that long before the read. The kernel turns stamping on through deferred work the first time a socket
     * asks, so a datagram or two may still be stamped when read: probed, a bounded number of times. Unasked, there is
     * no stamp.
     */
    @Test
    void arrivalsAreTheKernelsWhenTheSocketAsksForThem() throws Exception {
        try (DatagramChannel plain = bound("127.0.0.1"); DatagramChannel stamped = bound("127.0.0.1");
             DatagramChannel sender = bound("127.0.0.1")) {
            ReceiveBatch batch = new ReceiveBatch(4, 64);
            sender.send(ByteBuffer.wrap(datagram(1)), plain.getLocalAddress());
            Thread.sleep(SETTLE_MILLIS);
            assertEquals(1, batch.receive(descriptor(plain), 4));
            assertEquals(-7, batch.arrivalNanos(0, ReceiveBatch.wallToNano(), -7), "not asked for: no stamp");

            assertTrue(ReceiveBatch.stampArrivals(descriptor(stamped)));
            long earliestGap = Long.MIN_VALUE;
            for (int probe = 0; probe < 10 && earliestGap < (SETTLE_MILLIS / 2) * 1_000_000; probe++) {
                long sent = System.nanoTime();
                sender.send(ByteBuffer.wrap(datagram(2)), stamped.getLocalAddress());
                Thread.sleep(SETTLE_MILLIS);
                long read = System.nanoTime();
                assertEquals(1, batch.receive(descriptor(stamped), 4));
                long arrival = batch.arrivalNanos(0, ReceiveBatch.wallToNano(), -1);
                assertTrue(arrival != -1, "stamped");
                assertTrue(arrival >= sent - 5_000_000 && arrival <= read + 5_000_000,
                        "arrived " + (arrival - sent) / 1e6 + " ms after the send, read " + (read - sent) / 1e6 + " ms after it");
                earliestGap = read - arrival;
            }
            assertTrue(earliestGap >= (SETTLE_MILLIS / 2) * 1_000_000,
                    "stamped on arrival, not when read: " + earliestGap / 1e6 + " ms before the read");
        }
    }

    private static int take(ReceiveBatch batch, int fd, int max, List<byte[]> data, List<InetSocketAddress> senders) {
        int received = batch.receive(fd, max);
        for (int i = 0; i < received; i++) {
            data.add(batch.data(i));
            senders.add(java.util.Objects.requireNonNull(batch.sender(i), "sender of datagram " + i));
        }
        return received;
    }

    /** Datagram {@code i}: {@code i + 1} bytes of {@code i}. */
    private static byte[] datagram(int i) {
        byte[] data = new byte[i + 1];
        Arrays.fill(data, (byte) i);
        return data;
    }

    private static DatagramChannel bound(String host) throws java.io.IOException {
        return DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(host, 0));
    }

    /** The JDK keeps a channel's descriptor in a private field (its package is opened to the tests, as to the edge). */
    private static int descriptor(DatagramChannel channel) throws ReflectiveOperationException {
        Field fdVal = channel.getClass().getDeclaredField("fdVal");
        fdVal.setAccessible(true);
        return fdVal.getInt(channel);
    }
}
