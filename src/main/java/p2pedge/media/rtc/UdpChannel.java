package p2pedge.media.rtc;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A UDP socket whose datagrams are received on a Vert.x context's event loop and sent by the sending thread itself.
 * Vert.x's {@code DatagramSocket} resolves the destination host string of every datagram through its asynchronous
 * DNS resolver, an IP literal too, and those resolutions complete out of order now and then: on loopback, 6 to 19
 * datagrams in 16,000 to 30,000 sent in short bursts overtook an earlier one (UdpChannelTest); one such overtaken DTLS
 * datagram hung a handshake (see CipherChangeGate), and every reordered SRTP packet costs a viewer's jitter buffer.
 * Here a datagram goes to the kernel at once with its address as is, from the thread that sends it: in the order it
 * was sent from that thread, with no lookup, no hand-off to the event loop (which cost that loop as much again as the
 * system call itself: bench/forwarder-path.sh) and no queue: the socket is non-blocking, so a send the kernel has no
 * room for is refused and counted by the owner, never queued (an unbounded hand-off queue once grew an overloaded
 * edge's heap to a gigabyte and its viewers' delay to a second). Inside {@link #batched} a thread's datagrams wait
 * for the end of its work instead and go together, one system call for many ({@link DatagramBatch}). Received
 * datagrams reach the receiver on the context, in arrival order: each handed over as it is read, or, with a receive
 * tick, what one read finds handed over together (see {@link #bind(Context, String, int, int, int, Receiver)}).
 */
public final class UdpChannel {

    private static final Logger LOG = Logger.getLogger(UdpChannel.class.getName());
    /** Whether the process was told its datagrams go one by one: once, not for each of a load client's thousand channels. */
    private static final AtomicBoolean TOLD_ONE_BY_ONE = new AtomicBoolean();

    /** Called on the channel's context for each datagram. */
    public interface Receiver {
        /** {@code readNanos}: when it was read from the socket ({@link System#nanoTime}), before it waited for the context. */
        void onDatagram(byte[] data, InetSocketAddress from, long readNanos);

        /**
         * An RTP or RTCP datagram that waited more than {@link #MAX_WAIT_NANOS} for the context (a worker context busy
         * for that long: the process is overloaded) was dropped instead of delivered late.
         */
        default void onStale() {
        }
    }

    private record Received(byte[] data, InetSocketAddress from, long readNanos) {
    }

    /**
     * How long a received datagram may wait for a context that is not the socket's event loop (a worker's; an event
     * loop's runs it at once). The hand-off is a queue without a bound: behind a forwarding thread that cannot keep up,
     * media reached viewers seconds late with no loss (bench/media-plane.sh: 2.7 s at 1,000 viewers on 2 cores). Past
     * this, an RTP or RTCP datagram is dropped and counted, which is also how the busy context catches up (a NACK gets a
     * lost packet back); STUN and DTLS are few, and one late is worth more than its retransmission a second later.
     */
    static final long MAX_WAIT_NANOS = 250_000_000L;

    /**
     * With a receive tick, the most datagrams one read takes (Netty's default is 16): 64 a millisecond is four times
     * what a thousand viewers' transport-wide feedback sends. More wait in the kernel's buffer for the next tick, and
     * a flood beyond it is dropped there, before it costs the edge anything.
     */
    static final int READ_PER_TICK = 64;
    /** The largest datagram read whole (Netty's default for datagram channels; a viewer's are under 1,500 bytes). */
    private static final int RECEIVE_BYTES = 2048;

    /** A thread's batch on this socket, and whether that thread is inside {@link #batched} (and who counts refusals). */
    private static final class ThreadBatch {
        final Thread thread = Thread.currentThread();
        final DatagramBatch batch;
        IntConsumer refused;

        ThreadBatch(DatagramBatch batch) {
            this.batch = batch;
        }
    }

    private final ContextInternal context;
    private final io.netty.channel.socket.DatagramChannel channel;
    /** Passes a received datagram to the receiver (on the context), or drops a stale one. */
    private final Handler<Received> deliver;
    /** The channel's own socket: datagrams are sent on it directly (a JDK datagram channel takes concurrent sends). */
    private final DatagramChannel socket;
    /** Each batching thread's batch, made by its first {@link #batched} (null: no sendmmsg here, one by one). */
    private final ThreadLocal<ThreadBatch> batches;
    /**
     * The batch of the thread that last entered {@link #batched}: a forwarding thread's every send checks it before the
     * thread-local map (whose lookup was a tenth of that thread's time, bench/media-plane.sh with a flight recording).
     */
    private volatile ThreadBatch lastBatching;
    private final int descriptor;
    private final boolean ipv6;
    /** Held by a flush, taken by {@link #close}: no batch is ever handed to a descriptor closed (and perhaps reused). */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private boolean closed;
    private final Reader reader;

    private UdpChannel(ContextInternal context, io.netty.channel.socket.DatagramChannel channel, DatagramChannel socket,
                       int descriptor, Handler<Received> deliver, Reader reader) {
        this.context = context;
        this.channel = channel;
        this.deliver = deliver;
        this.reader = reader;
        this.socket = socket;
        this.descriptor = DatagramBatch.available() ? descriptor : -1;
        this.ipv6 = channel.localAddress().getAddress() instanceof java.net.Inet6Address;
        this.batches = descriptor < 0 ? null : new ThreadLocal<>();
    }

    /**
     * The socket's file descriptor, for sendmmsg and recvmmsg: the JDK keeps it in a private field of its channel (its
     * package is opened to the edge: the jar's manifest, as Hazelcast asks; the tests' JVM options); -1 where it cannot
     * be read.
     */
    private static int descriptorOf(DatagramChannel socket) {
        try {
            Field fdVal = socket.getClass().getDeclaredField("fdVal");
            fdVal.setAccessible(true);
            return fdVal.getInt(socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!TOLD_ONE_BY_ONE.getAndSet(true)) {
                LOG.info(() -> "UDP datagrams go one by one (no descriptor for sendmmsg: " + e + ")");
            }
            return -1;
        }
    }

    private static boolean isMedia(byte[] datagram) {
        PacketKind kind = PacketKind.of(datagram, datagram.length);
        return kind == PacketKind.RTP || kind == PacketKind.RTCP;
    }

    /** Whether {@link #batched} hands datagrams to the kernel together here (sendmmsg), not one by one. */
    public boolean batching() {
        return batches != null;
    }

    /**
     * Runs {@code work} (and returns what it returns) with this thread's datagrams on this socket handed to the kernel
     * together (a fan-out): they go at the latest when {@code work} returns, in the order sent. A datagram the kernel
     * refuses is counted through {@code refused} (see {@link #send} for why it may). Nested calls join the outer one.
     * The thread keeps its batch's native memory (about 100 kB) for its next fan-out.
     */
    public <T> T batched(Supplier<T> work, IntConsumer refused) {
        if (batches == null) {
            return work.get();
        }
        ThreadBatch mine = threadBatch();
        if (mine == null) {
            mine = new ThreadBatch(new DatagramBatch(descriptor, ipv6));
            batches.set(mine);
        } else if (mine.refused != null) {
            return work.get();
        }
        lastBatching = mine;
        mine.refused = refused;
        try {
            return work.get();
        } finally {
            flush(mine);
            mine.refused = null;
        }
    }

    /** This thread's batch on this socket, null before its first {@link #batched}. */
    private ThreadBatch threadBatch() {
        ThreadBatch last = lastBatching;
        return last != null && last.thread == Thread.currentThread() ? last : batches.get();
    }

    private void flush(ThreadBatch mine) {
        if (mine.batch.size() == 0) {
            return;
        }
        int refused;
        closing.readLock().lock();
        try {
            refused = closed ? mine.batch.clear() : mine.batch.flush();
        } finally {
            closing.readLock().unlock();
        }
        if (refused > 0) {
            mine.refused.accept(refused);
        }
    }

    /**
     * Binds {@code host:port} (0: an ephemeral port) on {@code context}'s event loop; each datagram is handed to the
     * context as it is read.
     *
     * @param receiveBufferBytes the socket's receive buffer (SO_RCVBUF), or 0 for the system's default
     */
    public static Future<UdpChannel> bind(Context context, String host, int port, int receiveBufferBytes, Receiver receiver) {
        return bind(context, host, port, receiveBufferBytes, 0, receiver);
    }

    /**
     * Binds {@code host:port} (0: an ephemeral port) on {@code context}'s event loop.
     *
     * @param receiveBufferBytes the socket's receive buffer (SO_RCVBUF), or 0 for the system's default
     * @param receiveTickMillis  0: each datagram is handed to the context as it is read (a wake of the event loop and
     *                           one of the context's thread for each). Above 0: after a read that found datagrams the
     *                           socket is left alone this long, and what the next read finds (at most
     *                           {@link #READ_PER_TICK}) goes to the context in one hand-off: under a steady stream of
     *                           small datagrams (viewers' feedback) one wake each per tick instead of per datagram, for
     *                           up to this long of added wait; an idle socket is read at once, as without.
     */
    public static Future<UdpChannel> bind(Context context, String host, int port, int receiveBufferBytes,
                                          int receiveTickMillis, Receiver receiver) {
        ContextInternal owner = (ContextInternal) context;
        DatagramChannel socket;
        try {
            socket = DatagramChannel.open(host.indexOf(':') >= 0 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        // Netty reads it on the context's event loop (Vert.x's NIO transport) and makes it non-blocking.
        NioDatagramChannel channel = new NioDatagramChannel(socket);
        if (receiveBufferBytes > 0) {
            channel.config().setReceiveBufferSize(receiveBufferBytes);
        }
        Handler<Received> deliver = r -> {
            if (System.nanoTime() - r.readNanos() > MAX_WAIT_NANOS && isMedia(r.data())) {
                receiver.onStale();
            } else {
                receiver.onDatagram(r.data(), r.from(), r.readNanos());
            }
        };
        int descriptor = descriptorOf(socket);
        // With a tick and recvmmsg, Netty's read takes the datagram that woke the loop, and the rest of the tick's go in
        // one system call (see Reader#readTheRest); without recvmmsg, Netty's read takes them one system call each.
        int batchReads = receiveTickMillis > 0 && ReceiveBatch.available() ? descriptor : -1;
        if (receiveTickMillis > 0) {
            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(RECEIVE_BYTES)
                    .maxMessagesPerRead(batchReads >= 0 ? 1 : READ_PER_TICK));
        }
        Reader reader = new Reader(owner, deliver, receiveTickMillis, batchReads);
        channel.pipeline().addLast(reader);
        Promise<UdpChannel> bound = owner.promise();
        owner.nettyEventLoop().register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                bound.fail(registered.cause());
                return;
            }
            channel.bind(new InetSocketAddress(host, port)).addListener(done -> {
                if (done.isSuccess()) {
                    bound.complete(new UdpChannel(owner, channel, socket, descriptor, deliver, reader));
                } else {
                    channel.close();
                    bound.fail(done.cause());
                }
            });
        });
        return bound.future();
    }

    /**
     * Sends one datagram now, from any thread; false (nothing sent) when the address is not resolved, the channel
     * closed, the kernel has no room for it (the socket's send buffer is full: the edge sends more than its link
     * takes) or refused it.
     */
    public boolean send(byte[] datagram, InetSocketAddress to) {
        return send(datagram, datagram.length, to);
    }

    /** As {@link #send(byte[], InetSocketAddress)}, {@code datagram[0, length)}: copied or sent when it returns. */
    public boolean send(byte[] datagram, int length, InetSocketAddress to) {
        if (to.isUnresolved() || !socket.isOpen()) {
            return false;
        }
        ThreadBatch mine = batches == null ? null : threadBatch();
        if (mine != null && mine.refused != null) {
            if (mine.batch.full()) {
                flush(mine);
            }
            if (mine.batch.add(datagram, length, to)) {
                return true;
            }
            flush(mine); // a datagram no batch takes (see DatagramBatch.add) goes alone, after what came before it
        }
        try {
            return socket.send(ByteBuffer.wrap(datagram, 0, length), to) > 0;
        } catch (IOException e) {
            // e.g. no route to the address, or the channel closing meanwhile: the next datagram is unaffected
            LOG.fine(() -> "UDP channel " + channel.localAddress() + ": " + e);
            return false;
        }
    }

    /**
     * Stops the event loop reading this socket and returns its descriptor, for a reader of its own that hands each
     * datagram to {@link #deliver} (one that polls many sockets and takes several datagrams a system call); -1, and the
     * event loop goes on reading, where the descriptor cannot be had (see {@link #batching}).
     */
    public int handOverReading() {
        if (descriptor < 0) {
            return -1;
        }
        reader.handedOver = true;
        channel.config().setAutoRead(false);
        return descriptor;
    }

    /**
     * A datagram read by the reader this socket was {@linkplain #handOverReading handed over} to, {@code readNanos} when
     * it arrived ({@link System#nanoTime}): to the receiver on the channel's context, as one the event loop read.
     */
    public void deliver(byte[] data, InetSocketAddress from, long readNanos) {
        context.emit(new Received(data, from, readNanos), deliver);
    }

    /** How many times received datagrams were handed to the context so far (one per datagram without a receive tick). */
    public long handOffs() {
        return reader.handOffs;
    }

    public int localPort() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the socket; idempotent. */
    public Future<Void> close() {
        closing.writeLock().lock();
        try {
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        Promise<Void> done = context.promise();
        channel.close().addListener(f -> done.complete());
        return done.future();
    }

    /** Reads the socket on its event loop and hands what it reads to the channel's context. */
    private static final class Reader extends ChannelInboundHandlerAdapter {
        /** Each event loop's memory for the rest of a tick's datagrams (64 slots of 2 KB), made at its first such read. */
        private static final FastThreadLocal<ReceiveBatch> BATCHES = new FastThreadLocal<>() {
            @Override
            protected ReceiveBatch initialValue() {
                return new ReceiveBatch(READ_PER_TICK, RECEIVE_BYTES);
            }
        };

        private final ContextInternal owner;
        private final Handler<Received> deliver;
        private final Handler<List<Received>> deliverAll;
        private final int tickMillis;
        /** What the read under way found (with a tick); touched on the event loop only. */
        private List<Received> pending;
        private volatile long handOffs;
        /** Another reader took the socket over ({@link #handOverReading}): the tick must not start this one again. */
        volatile boolean handedOver;
        /** The socket's descriptor, for the rest of a tick's datagrams in one recvmmsg; -1: Netty reads them all. */
        private final int batchReads;

        Reader(ContextInternal owner, Handler<Received> deliver, int tickMillis, int batchReads) {
            this.owner = owner;
            this.deliver = deliver;
            this.deliverAll = batch -> {
                for (Received received : batch) {
                    try {
                        deliver.handle(received);
                    } catch (RuntimeException e) {
                        // as it would be for a datagram handed over alone: one datagram's failure is not the others'
                        owner.reportException(e);
                    }
                }
            };
            this.tickMillis = tickMillis;
            this.batchReads = batchReads;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            DatagramPacket packet = (DatagramPacket) message;
            Received received;
            try {
                received = new Received(ByteBufUtil.getBytes(packet.content()), packet.sender(), System.nanoTime());
            } finally {
                packet.release();
            }
            if (tickMillis == 0) {
                handOffs++;
                owner.emit(received, deliver);
                return;
            }
            if (pending == null) {
                pending = new ArrayList<>();
            }
            pending.add(received);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pending == null) {
                return;
            }
            if (batchReads >= 0 && ctx.channel().isOpen()) {
                readTheRest();
            }
            List<Received> batch = pending;
            pending = null;
            handOffs++;
            owner.emit(batch, deliverAll);
            // Leaves the socket alone for a tick (its read interest off), so that the next read finds more at once.
            io.netty.channel.Channel channel = ctx.channel();
            channel.config().setAutoRead(false);
            channel.eventLoop().schedule(() -> {
                if (!handedOver && channel.isOpen()) {
                    channel.config().setAutoRead(true);
                }
            }, tickMillis, TimeUnit.MILLISECONDS);
        }

        /** What else waits in the socket, up to the tick's {@link #READ_PER_TICK}, after the datagram Netty read. */
        private void readTheRest() {
            ReceiveBatch batch = BATCHES.get();
            int received = batch.receive(batchReads, READ_PER_TICK - pending.size());
            long now = System.nanoTime();
            for (int i = 0; i < received; i++) {
                byte[] data = batch.data(i);
                InetSocketAddress from = batch.sender(i);
                if (data != null && from != null) {
                    pending.add(new Received(data, from, now));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. an ICMP unreachable surfacing on a send: the next datagram is unaffected
            LOG.fine(() -> "UDP channel " + ctx.channel().localAddress() + ": " + cause);
        }
    }
}
