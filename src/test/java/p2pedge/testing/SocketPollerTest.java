package p2pedge.testing;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p2pedge.media.rtc.UdpChannel;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load client's poller, against real loopback sockets: every datagram reaches its own channel's receiver, in order,
 * on that channel's context, from the address that sent it; its arrival time is the kernel's, not the tick's; a socket
 * taken out is read no more.
 */
class SocketPollerTest {

    private record Arrival(byte[] data, InetSocketAddress from, long readNanos, long deliveredNanos, Context context) {
    }

    private Vertx vertx;
    private SocketPoller poller;

    @BeforeEach
    void start() {
        Assumptions.assumeTrue(SocketPoller.available(), "recvmmsg and epoll through JNA (Linux, 64-bit x86 or ARM)");
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (poller != null) {
            poller.close();
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyDatagramReachesItsChannelInOrderOnItsContext() throws Exception {
        poller = SocketPoller.create(vertx, 10);
        List<Context> contexts = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(), vertx.getOrCreateContext());
        List<List<Arrival>> arrivals = new ArrayList<>();
        List<UdpChannel> channels = new ArrayList<>();
        for (Context context : contexts) {
            List<Arrival> mine = Collections.synchronizedList(new ArrayList<>());
            arrivals.add(mine);
            channels.add(polledChannel(context, mine));
        }
        int perChannel = 300; // more than one recvmmsg takes in a tick
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < perChannel; i++) {
                for (UdpChannel channel : channels) {
                    byte[] data = {(byte) (i >> 8), (byte) i, 7, 7};
                    sender.send(new DatagramPacket(data, data.length, new InetSocketAddress("127.0.0.1", channel.localPort())));
                }
            }
            Waits.until(() -> arrivals.stream().allMatch(a -> a.size() == perChannel), 10_000, "every datagram delivered");
            for (int c = 0; c < contexts.size(); c++) {
                List<Arrival> mine = arrivals.get(c);
                for (int i = 0; i < perChannel; i++) {
                    Arrival arrival = mine.get(i);
                    assertArrayEquals(new byte[]{(byte) (i >> 8), (byte) i, 7, 7}, arrival.data(), "channel " + c + ", datagram " + i);
                    assertSame(contexts.get(c), arrival.context(), "delivered on the channel's own context");
                    assertEquals(sender.getLocalSocketAddress(), arrival.from());
                    assertSame(mine.get(0).from(), arrival.from(), "one sender, one address object");
                }
            }
        }
    }

    @Test
    void arrivalTimesAreTheKernelsNotTheTicks() throws Exception {
        int tickMillis = 100;
        poller = SocketPoller.create(vertx, tickMillis);
        List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
        UdpChannel channel = polledChannel(vertx.getOrCreateContext(), arrivals);
        int n = 20;
        long[] sentBefore = new long[n];
        long[] sentAfter = new long[n];
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            awaitKernelStamping(sender, channel, arrivals);
            for (int i = 0; i < n; i++) {
                sentBefore[i] = System.nanoTime();
                sender.send(new DatagramPacket(new byte[]{(byte) i}, 1, new InetSocketAddress("127.0.0.1", channel.localPort())));
                sentAfter[i] = System.nanoTime();
                Thread.sleep(7); // spread over the tick: read at the tick, most would wait tens of milliseconds
            }
            Waits.until(() -> arrivals.size() == n, 10_000, "every datagram delivered");
        }
        long waitedLongest = 0;
        for (int i = 0; i < n; i++) {
            Arrival arrival = arrivals.get(i);
            assertEquals(i, arrival.data()[0]);
            // A few milliseconds either way for converting the kernel's wall clock to System.nanoTime's.
            assertTrue(arrival.readNanos() >= sentBefore[i] - 3_000_000 && arrival.readNanos() <= sentAfter[i] + 3_000_000,
                    "datagram " + i + ": arrived " + (arrival.readNanos() - sentBefore[i]) / 1e6 + " ms after its send began");
            waitedLongest = Math.max(waitedLongest, arrival.deliveredNanos() - arrival.readNanos());
        }
        assertTrue(waitedLongest > 20_000_000, "the datagrams waited for the tick (" + waitedLongest / 1e6
                + " ms at most): the times above are not when they were read");
    }

    @Test
    void aSocketTakenOutIsReadNoMore() throws Exception {
        poller = SocketPoller.create(vertx, 10);
        Context context = vertx.getOrCreateContext();
        List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
        UdpChannel channel = UdpChannel.bind(context, "127.0.0.1", 0, 0, (data, from, readNanos) -> arrivals.add(
                new Arrival(data, from, readNanos, System.nanoTime(), Vertx.currentContext()))).await(5, TimeUnit.SECONDS);
        SocketPoller.Polled polled = onContext(context, () -> poller.add(channel, context));
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", channel.localPort());
            sender.send(new DatagramPacket(new byte[]{1}, 1, to));
            Waits.until(() -> arrivals.size() == 1, 5_000, "the first datagram");
            onContext(context, () -> {
                polled.remove();
                return null;
            });
            sender.send(new DatagramPacket(new byte[]{2}, 1, to));
            Thread.sleep(200); // twenty ticks
            assertEquals(1, arrivals.size(), "nothing read after the socket was taken out");
        } finally {
            channel.close().await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The kernel switches receive stamping on through deferred work when the first socket in the system asks for it (and
     * off again when the last one closes); a datagram that comes in before then is stamped when it is read. Probes until
     * one carries its arrival time (a bounded number of ticks), then forgets the probes.
     */
    private static void awaitKernelStamping(DatagramSocket sender, UdpChannel channel, List<Arrival> arrivals)
            throws Exception {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", channel.localPort());
        for (int probe = 0; probe < 10; probe++) {
            long sent = System.nanoTime();
            sender.send(new DatagramPacket(new byte[]{-1}, 1, to));
            Waits.until(() -> arrivals.size() == 1, 5_000, "a probe delivered");
            long late = arrivals.remove(0).readNanos() - sent;
            if (late < 3_000_000) {
                return;
            }
        }
        // Left to the assertions below, which then say how late the stamps are.
    }

    /** A channel bound on {@code context} whose datagrams the poller reads, each recorded in {@code arrivals}. */
    private UdpChannel polledChannel(Context context, List<Arrival> arrivals) throws Exception {
        UdpChannel channel = UdpChannel.bind(context, "127.0.0.1", 0, 0, (data, from, readNanos) -> arrivals.add(
                new Arrival(data, from, readNanos, System.nanoTime(), Vertx.currentContext()))).await(5, TimeUnit.SECONDS);
        SocketPoller.Polled polled = onContext(context, () -> poller.add(channel, context));
        assertTrue(polled != null, "the channel's descriptor was handed over");
        return channel;
    }

    private static <T> T onContext(Context context, java.util.function.Supplier<T> work) throws Exception {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> done.complete(work.get()));
        return done.future().await(5, TimeUnit.SECONDS);
    }
}
