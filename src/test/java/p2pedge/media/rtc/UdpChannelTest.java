package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class UdpChannelTest {

    private static final int ROUNDS = 400;
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 10;

    /**
     * Fresh sockets sending short numbered bursts at once, from plain threads (as a DTLS handshake thread does):
     * every datagram arrives after the one sent before it. This same test with Vert.x's DatagramSocket as the sender
     * (it resolves the address string of each datagram) saw 19 of its 16,000 datagrams overtake an earlier one.
     */
    @Test
    void datagramsArriveInTheOrderTheyWereSent(Vertx vertx) throws Exception {
        // Keyed by burst, not by address: a later burst may get a finished one's ephemeral port.
        Map<Integer, Integer> lastOfBurst = new ConcurrentHashMap<>();
        AtomicInteger bursts = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        List<String> overtaken = new ArrayList<>();
        Context context = vertx.getOrCreateContext();
        UdpChannel receiver = UdpChannel.bind(context, "127.0.0.1", 0, 1 << 20, (data, from, readNanos) -> {
            ByteBuffer datagram = ByteBuffer.wrap(data);
            int burst = datagram.getInt();
            int n = datagram.getInt();
            Integer previous = lastOfBurst.put(burst, n);
            if (previous != null && n < previous) {
                synchronized (overtaken) {
                    overtaken.add(n + " after " + previous + " in burst " + burst + " from " + from);
                }
            }
            received.incrementAndGet();
        }).await(5, TimeUnit.SECONDS);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", receiver.localPort());
        ExecutorService threads = Executors.newFixedThreadPool(SENDERS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    running.add(threads.submit(() -> {
                        int burst = bursts.incrementAndGet();
                        UdpChannel sender = UdpChannel.bind(vertx.getOrCreateContext(), "127.0.0.1", 0, 0, (d, f, n) -> { })
                                .await(5, TimeUnit.SECONDS);
                        for (int i = 0; i < PER_SENDER; i++) {
                            assertTrue(sender.send(ByteBuffer.allocate(8).putInt(burst).putInt(i).array(), to));
                        }
                        Thread.sleep(2);
                        return sender.close().await(5, TimeUnit.SECONDS);
                    }));
                }
                for (java.util.concurrent.Future<?> burst : running) {
                    burst.get(10, TimeUnit.SECONDS);
                }
            }
            long deadline = System.currentTimeMillis() + 5_000;
            int sent = ROUNDS * SENDERS * PER_SENDER;
            while (received.get() < sent && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(overtaken.isEmpty(), overtaken.size() + " of " + sent + " datagrams overtaken: " + overtaken);
            assertTrue(received.get() >= sent * 99 / 100, "received " + received.get() + " of " + sent);
        } finally {
            threads.shutdownNow();
            receiver.close().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void datagramsReachTheReceiverOnItsContextAndNothingGoesToAnUnresolvedAddress(Vertx vertx) throws Exception {
        Context context = vertx.getOrCreateContext();
        AtomicReference<Context> deliveredOn = new AtomicReference<>();
        AtomicReference<InetSocketAddress> sender = new AtomicReference<>();
        UdpChannel receiver = UdpChannel.bind(context, "127.0.0.1", 0, 0, (data, from, readNanos) -> {
            deliveredOn.set(Vertx.currentContext());
            sender.set(from);
        }).await(5, TimeUnit.SECONDS);
        UdpChannel other = UdpChannel.bind(vertx.getOrCreateContext(), "127.0.0.1", 0, 0, (d, f, n) -> { }).await(5, TimeUnit.SECONDS);
        assertFalse(other.send(new byte[]{1}, InetSocketAddress.createUnresolved("localhost", receiver.localPort())),
                "no lookup on the send path");
        assertTrue(other.send(new byte[]{1}, new InetSocketAddress("127.0.0.1", receiver.localPort())));
        long deadline = System.currentTimeMillis() + 5_000;
        while (deliveredOn.get() == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertSame(context, deliveredOn.get());
        assertEquals(other.localPort(), sender.get().getPort());
        Future.join(other.close(), other.close(), receiver.close()).await(5, TimeUnit.SECONDS);
        assertFalse(other.send(new byte[]{1}, new InetSocketAddress("127.0.0.1", receiver.localPort())), "closed");
    }

    /**
     * A send goes to the kernel from the sending thread, not through the channel's event loop: with that loop held
     * busy, every datagram is sent at once and arrives (at a receiver on another loop). Nothing waits in a queue
     * behind a busy loop, so nothing can pile up there (a hand-off queue once grew an overloaded edge's heap to a
     * gigabyte); what the kernel has no room for is refused.
     */
    @Test
    void aSendNeitherWaitsForNorQueuesBehindTheChannelsEventLoop(Vertx vertx) throws Exception {
        // The receiver is read here, not on an event loop (it could be the one held).
        java.nio.channels.DatagramChannel receiver = java.nio.channels.DatagramChannel.open();
        receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
        receiver.bind(new InetSocketAddress("127.0.0.1", 0));
        receiver.configureBlocking(false);
        Context context = vertx.getOrCreateContext();
        UdpChannel sender = UdpChannel.bind(context, "127.0.0.1", 0, 0, (data, from, readNanos) -> { }).await(5, TimeUnit.SECONDS);
        InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        context.runOnContext(v -> {
            busy.countDown();
            try {
                release.await(20, TimeUnit.SECONDS); // the sender's event loop, held
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(busy.await(5, TimeUnit.SECONDS));
            byte[] datagram = new byte[1_000];
            int sent = 0;
            for (int i = 0; i < 2_000; i++) {
                if (sender.send(datagram, to)) {
                    sent++;
                }
            }
            int received = 0;
            ByteBuffer into = ByteBuffer.allocate(2_000);
            long until = System.nanoTime() + 5_000_000_000L;
            while (received < sent && System.nanoTime() < until) {
                into.clear();
                if (receiver.receive(into) != null) {
                    received++;
                } else {
                    Thread.sleep(1);
                }
            }
            System.out.printf("UDP channel with its event loop held: %d of 2,000 datagrams sent, %d received%n", sent, received);
            assertEquals(2_000, sent, "the kernel took every datagram");
            assertTrue(received >= sent * 99 / 100, "they arrived while the sender's loop was still held: " + received);
        } finally {
            release.countDown();
            sender.close().await(5, TimeUnit.SECONDS);
            receiver.close();
        }
    }
    /** An RTP-looking datagram (version 2, payload type 96) carrying {@code n} where a timestamp would be. */
    private static byte[] rtpNumbered(int n) {
        return ByteBuffer.allocate(12).put((byte) 0x80).put((byte) 96).putShort((short) 0).putInt(n).putInt(7).array();
    }

    /** Batches are expected wherever the CI and the edge's image run (Linux on 64-bit x86 or ARM). */
    private static boolean batchesExpected() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64"));
    }

    /**
     * A fan-out's datagrams, batched: to three receivers in turn, more than one batch holds, with a datagram too large
     * for a batch's slot in the middle (it goes alone, after what came before it): every one arrives, whole and in the
     * order sent to its receiver, and nothing waits after the batch's work returned.
     */
    @Test
    void batchedDatagramsArriveWholeAndInOrder(Vertx vertx) throws Exception {
        sendBatched(vertx, "127.0.0.1");
    }

    /** The same on an IPv6 socket (its sockaddr_in6), where the machine has IPv6 loopback. */
    @Test
    void batchedDatagramsArriveOverIpv6(Vertx vertx) throws Exception {
        boolean ipv6;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
            ipv6 = true;
        } catch (Exception e) {
            ipv6 = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6, "no IPv6 loopback here");
        sendBatched(vertx, "::1");
    }

    private static void sendBatched(Vertx vertx, String host) throws Exception {
        int receivers = 3;
        int rounds = 100; // 300 datagrams: several batches of 64
        List<java.nio.channels.DatagramChannel> sinks = new ArrayList<>();
        UdpChannel sender = UdpChannel.bind(vertx.getOrCreateContext(), host, 0, 0, (d, f, n) -> { }).await(5, TimeUnit.SECONDS);
        try {
            assertEquals(batchesExpected(), sender.batching(), "sendmmsg where the system has it");
            for (int r = 0; r < receivers; r++) {
                java.nio.channels.DatagramChannel sink = java.nio.channels.DatagramChannel.open(
                        host.contains(":") ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
                sink.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
                sink.bind(new InetSocketAddress(host, 0));
                sink.configureBlocking(false);
                sinks.add(sink);
            }
            List<InetSocketAddress> to = new ArrayList<>();
            for (java.nio.channels.DatagramChannel sink : sinks) {
                to.add((InetSocketAddress) sink.getLocalAddress());
            }
            AtomicInteger refused = new AtomicInteger();
            int sent = sender.batched(() -> {
                int n = 0;
                for (int round = 0; round < rounds; round++) {
                    for (int r = 0; r < receivers; r++) {
                        int size = round == 50 ? DatagramBatch.SLOT_BYTES + 100 : 200 + round;
                        byte[] datagram = ByteBuffer.allocate(size).putInt(round).putInt(r).array();
                        datagram[size - 1] = (byte) round;
                        if (sender.send(datagram, to.get(r))) {
                            n++;
                        }
                    }
                }
                return n;
            }, refused::addAndGet);
            assertEquals(rounds * receivers, sent);
            assertEquals(0, refused.get());
            ByteBuffer into = ByteBuffer.allocate(4_000);
            for (int r = 0; r < receivers; r++) {
                for (int round = 0; round < rounds; round++) {
                    into.clear();
                    long until = System.nanoTime() + 2_000_000_000L;
                    while (sinks.get(r).receive(into) == null) {
                        assertTrue(System.nanoTime() < until, "receiver " + r + " got nothing after round " + (round - 1));
                        Thread.sleep(1);
                    }
                    into.flip();
                    int size = round == 50 ? DatagramBatch.SLOT_BYTES + 100 : 200 + round;
                    assertEquals(size, into.remaining(), "whole");
                    assertEquals(round, into.getInt(0), "in order, receiver " + r);
                    assertEquals(r, into.getInt(4));
                    assertEquals((byte) round, into.get(size - 1));
                }
            }
        } finally {
            sender.close().await(5, TimeUnit.SECONDS);
            for (java.nio.channels.DatagramChannel sink : sinks) {
                sink.close();
            }
        }
    }
    /**
     * A worker context that cannot keep up (its first datagram holds it for 600 ms): the media (RTP) datagrams that
     * waited for it longer than {@link UdpChannel#MAX_WAIT_NANOS} are dropped and counted, not delivered late, a STUN
     * datagram that waited as long is still delivered, and what comes after is delivered. With an unbounded hand-off,
     * every datagram would come, the last ones 600 ms late.
     */
    @Test
    void datagramsThatWaitedTooLongForABusyWorkerAreDroppedAndCounted(Vertx vertx) throws Exception {
        io.vertx.core.internal.ContextInternal worker = ((io.vertx.core.internal.VertxInternal) vertx).createWorkerContext();
        List<Integer> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger stale = new AtomicInteger();
        UdpChannel receiver = UdpChannel.bind(worker, "127.0.0.1", 0, 1 << 20, new UdpChannel.Receiver() {
            @Override
            public void onDatagram(byte[] data, InetSocketAddress from, long readNanos) {
                int n = ByteBuffer.wrap(data).getInt(4);
                delivered.add(n);
                if (n == 0) {
                    try {
                        Thread.sleep(600); // the forwarding thread, overloaded
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onStale() {
                stale.incrementAndGet();
            }
        }).await(5, TimeUnit.SECONDS);
        UdpChannel sender = UdpChannel.bind(vertx.getOrCreateContext(), "127.0.0.1", 0, 0, (d, f, n) -> { }).await(5, TimeUnit.SECONDS);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", receiver.localPort());
        try {
            assertTrue(sender.send(rtpNumbered(0), to));
            Thread.sleep(100); // datagram 0 holds the worker
            for (int n = 1; n <= 50; n++) {
                assertTrue(sender.send(rtpNumbered(n), to));
            }
            assertTrue(sender.send(ByteBuffer.allocate(8).putInt(0x0001_0000).putInt(1000).array(), to)); // a STUN request's first bytes
            long until = System.nanoTime() + 5_000_000_000L;
            while (stale.get() < 50 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(sender.send(rtpNumbered(51), to));
            while (!delivered.contains(51) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(List.of(0, 1000, 51), delivered, "the media that waited 500 ms dropped; STUN and what came after, delivered");
            assertEquals(50, stale.get());
        } finally {
            Future.join(sender.close(), receiver.close()).await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * With a receive tick, datagrams that arrive while the socket rests after a read are read and handed to the context
     * together at the next: over a stream of them, one hand-off per tick at most; a burst larger than
     * {@link UdpChannel#READ_PER_TICK} takes several reads. Every datagram still arrives in order, from its sender, on
     * the channel's context. Without a tick, each datagram is a hand-off of its own.
     */
    @Test
    void withAReceiveTickDatagramsAreHandedOverATickAtATimeInOrder(Vertx vertx) throws Exception {
        int tickMillis = 50;
        int stream = 40;
        assertEquals(stream, handOffs(vertx, 0, stream, 2)[0], "without a tick: one hand-off per datagram");
        long[] spread = handOffs(vertx, tickMillis, stream, 2);
        long mostReads = spread[1] / TimeUnit.MILLISECONDS.toNanos(tickMillis) + 2;
        assertTrue(spread[0] <= mostReads, spread[0] + " hand-offs for " + stream + " datagrams over " + spread[1] / 1_000_000
                + " ms: more than one per " + tickMillis + " ms tick");
        int burst = 200;
        long burstReads = handOffs(vertx, tickMillis, burst, 0)[0];
        int fullReads = (burst + UdpChannel.READ_PER_TICK - 1) / UdpChannel.READ_PER_TICK;
        assertTrue(burstReads >= fullReads,
                burstReads + " hand-offs for a burst of " + burst + ": a read took more than " + UdpChannel.READ_PER_TICK);
        // The first read may come while the burst is still being sent; every later one takes a full tick's worth.
        assertTrue(burstReads <= fullReads + 1,
                burstReads + " hand-offs for a burst of " + burst + ": reads took fewer than " + UdpChannel.READ_PER_TICK);
    }

    /**
     * A receiver that throws on one datagram of a read (a bug a forged datagram could trigger) does not cost the
     * datagrams read with it: each is delivered, the failure goes to the context's exception handler.
     */
    @Test
    void aDatagramWhoseDeliveryThrowsDoesNotCostTheOthersReadWithIt(Vertx vertx) throws Exception {
        List<Throwable> reported = java.util.Collections.synchronizedList(new ArrayList<>());
        vertx.exceptionHandler(reported::add);
        Context context = vertx.getOrCreateContext();
        List<Integer> received = java.util.Collections.synchronizedList(new ArrayList<>());
        UdpChannel channel = UdpChannel.bind(context, "127.0.0.1", 0, 1 << 20, 50, (data, from, readNanos) -> {
            int n = ByteBuffer.wrap(data).getInt();
            if (n == 3) {
                throw new IllegalStateException("datagram 3");
            }
            received.add(n);
        }).await(5, TimeUnit.SECONDS);
        try (java.net.DatagramSocket sender = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", channel.localPort());
            sender.send(new java.net.DatagramPacket(ByteBuffer.allocate(4).putInt(-1).array(), 4, to));
            long deadline = System.currentTimeMillis() + 5_000;
            while (received.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(1);
            }
            for (int i = 0; i < 8; i++) { // within the tick the socket now rests: one read takes them together
                sender.send(new java.net.DatagramPacket(ByteBuffer.allocate(4).putInt(i).array(), 4, to));
            }
            while (received.size() < 8 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(List.of(-1, 0, 1, 2, 4, 5, 6, 7), new ArrayList<>(received));
            assertEquals(1, reported.size(), "the failure reported: " + reported);
        } finally {
            channel.close().await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends one datagram to a channel with {@code tickMillis}, then, once it is delivered, {@code count} more
     * {@code gapMillis} apart; checks that all arrive in order from the sender, on the channel's context. Returns how
     * many hand-offs those {@code count} took and the nanoseconds from the first of them sent to the last delivered.
     */
    private static long[] handOffs(Vertx vertx, int tickMillis, int count, int gapMillis) throws Exception {
        Context context = vertx.getOrCreateContext();
        List<Integer> received = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Long> lastDelivered = new AtomicReference<>();
        try (java.net.DatagramSocket sender = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            UdpChannel channel = UdpChannel.bind(context, "127.0.0.1", 0, 1 << 20, tickMillis, (data, from, readNanos) -> {
                if (Vertx.currentContext() != context || !from.equals(sender.getLocalSocketAddress())) {
                    wrong.add(from + " on " + Vertx.currentContext());
                }
                received.add(ByteBuffer.wrap(data).getInt());
                lastDelivered.set(System.nanoTime());
            }).await(5, TimeUnit.SECONDS);
            try {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", channel.localPort());
                sender.send(new java.net.DatagramPacket(ByteBuffer.allocate(4).putInt(-1).array(), 4, to));
                long deadline = System.currentTimeMillis() + 10_000;
                while (received.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(1);
                }
                long before = channel.handOffs();
                long first = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    sender.send(new java.net.DatagramPacket(ByteBuffer.allocate(4).putInt(i).array(), 4, to));
                    if (gapMillis > 0) {
                        Thread.sleep(gapMillis);
                    }
                }
                while (received.size() < count + 1 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = -1; i < count; i++) {
                    expected.add(i);
                }
                assertEquals(expected, new ArrayList<>(received), "every datagram, in order");
                assertTrue(wrong.isEmpty(), "from the sender, on the channel's context: " + wrong);
                return new long[]{channel.handOffs() - before, lastDelivered.get() - first};
            } finally {
                channel.close().await(5, TimeUnit.SECONDS);
            }
        }
    }
}
