package p2pedge.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import p2pedge.media.rtc.NativeLibc;
import p2pedge.media.rtc.ReceiveBatch;
import p2pedge.media.rtc.UdpChannel;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the UDP sockets of many load viewers on a tick instead of datagram by datagram: every {@code tickMillis}, per
 * event loop, one {@code epoll_wait(2)} names the sockets with something to read and one {@code recvmmsg(2)} takes
 * what piled up in each, every datagram with the time the kernel took it in ({@code SO_TIMESTAMPNS}), handed to its
 * {@link UdpChannel} as if the event loop had read it then. Why: a load client that reads each datagram as it comes
 * (Netty's selector, one {@code recvfrom} each) filled its core before the edge under test did; one perf look at 1,000
 * viewers (2026-12-06) had 42 % of that core in the system call, most of it entering and leaving the kernel of this
 * machine's virtual CPUs. The tick's wait is not in what the viewers measure: their arrival times are the kernel's. Linux on
 * 64-bit x86 and ARM ({@link #available}); confined to the event loops' threads, like the viewers it reads for.
 */
public final class SocketPoller implements AutoCloseable {

    private static final boolean AVAILABLE = ReceiveBatch.available() && NativeLibc.bind(Libc.class, e -> {
    });

    /** The C library's calls, bound directly. Pointers are passed as native addresses. */
    private static final class Libc {
        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, long event) throws LastErrorException;

        static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }

    private static final int EPOLLIN = 0x001;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EINTR = 4;
    /** struct epoll_event: packed on x86-64 (12 bytes, its data at 4), natural elsewhere (16, at 8). */
    private static final int EVENT_BYTES = Platform.isIntel() ? 12 : 16;
    private static final int EVENT_DATA_AT = Platform.isIntel() ? 4 : 8;
    /** Ready sockets taken per epoll_wait; a tick calls it again while it comes back full. */
    private static final int EVENTS = 256;
    /** Datagrams per recvmmsg: a 40 ms tick finds about five for a viewer of a 600 kbit/s stream and its audio. */
    private static final int MESSAGES = 32;
    private static final int SLOT_BYTES = 2_048;

    /** Whether sockets can be polled here. */
    public static boolean available() {
        return AVAILABLE;
    }

    private final Vertx vertx;
    private final int tickMillis;
    private final Map<Object, Loop> loops = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SocketPoller(Vertx vertx, int tickMillis) {
        this.vertx = vertx;
        this.tickMillis = tickMillis;
    }

    /** A poller whose event loops each read their sockets every {@code tickMillis}. */
    public static SocketPoller create(Vertx vertx, int tickMillis) {
        if (!AVAILABLE) {
            throw new IllegalStateException("recvmmsg and epoll are not available here");
        }
        if (tickMillis < 1) {
            throw new IllegalArgumentException("tick: " + tickMillis + " ms");
        }
        return new SocketPoller(vertx, tickMillis);
    }

    /**
     * From now on {@code channel}'s datagrams are read by this poller, on its event loop's tick; call on the channel's
     * context. Null (the event loop goes on reading them one by one) when the channel's descriptor cannot be had.
     */
    public Polled add(UdpChannel channel, Context context) {
        if (closed) {
            throw new IllegalStateException("poller closed");
        }
        int fd = channel.handOverReading();
        return fd < 0 ? null
                : loops.computeIfAbsent(((ContextInternal) context).nettyEventLoop(), key -> new Loop(context)).add(channel, fd);
    }

    /** Stops every event loop's tick and closes its epoll instance (on that loop); the channels stay open. */
    @Override
    public void close() {
        closed = true;
        loops.values().forEach(Loop::close);
    }

    /** One socket being polled: {@link #remove} before the socket is closed (on the channel's context). */
    public static final class Polled {
        private final Loop loop;
        private final UdpChannel channel;
        private final int fd;
        private final int slot;
        private boolean removed;

        private Polled(Loop loop, UdpChannel channel, int fd, int slot) {
            this.loop = loop;
            this.channel = channel;
            this.fd = fd;
            this.slot = slot;
        }

        public void remove() {
            if (!removed) {
                removed = true;
                loop.remove(this);
            }
        }
    }

    /** The sockets of one event loop, its epoll instance, its tick and the native memory its reads go through. */
    private final class Loop {
        private final Context context;
        private final int epfd;
        private final long timer;
        private final ByteBuffer events;
        private final long eventsAddress;
        private final ReceiveBatch reads = new ReceiveBatch(MESSAGES, SLOT_BYTES);
        private Polled[] slots = new Polled[64];
        private int[] freeSlots = new int[0];
        private int freeCount;
        private int used;
        private boolean stopped;

        Loop(Context context) {
            this.context = context;
            this.epfd = Libc.epoll_create1(0);
            this.events = ByteBuffer.allocateDirect(EVENTS * EVENT_BYTES).order(ByteOrder.nativeOrder());
            this.eventsAddress = address(events);
            // The tick runs on the context of the loop's first socket: the event loop's thread, like every viewer's.
            this.timer = ((ContextInternal) context).setPeriodic(tickMillis, t -> tick());
        }

        private static long address(ByteBuffer buffer) {
            return com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
        }

        Polled add(UdpChannel channel, int fd) {
            int slot;
            if (freeCount > 0) {
                slot = freeSlots[--freeCount];
            } else {
                if (used == slots.length) {
                    slots = java.util.Arrays.copyOf(slots, slots.length * 2);
                }
                slot = used++;
            }
            Polled polled = new Polled(this, channel, fd, slot);
            slots[slot] = polled;
            ReceiveBatch.stampArrivals(fd);
            ByteBuffer one = ByteBuffer.allocateDirect(EVENT_BYTES).order(ByteOrder.nativeOrder());
            one.putInt(0, EPOLLIN);
            one.putLong(EVENT_DATA_AT, slot);
            Libc.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, address(one));
            return polled;
        }

        void remove(Polled polled) {
            slots[polled.slot] = null;
            if (freeCount == freeSlots.length) {
                freeSlots = java.util.Arrays.copyOf(freeSlots, Math.max(16, freeCount * 2));
            }
            freeSlots[freeCount++] = polled.slot;
            if (!stopped) {
                try {
                    Libc.epoll_ctl(epfd, EPOLL_CTL_DEL, polled.fd, 0);
                } catch (LastErrorException e) {
                    // already gone from the set (its socket closed first): nothing to take out
                }
            }
        }

        private void tick() {
            if (stopped) {
                return;
            }
            // The kernel's time stamps are wall-clock nanoseconds; the receivers take System.nanoTime's.
            long wallToNano = ReceiveBatch.wallToNano();
            // Level-triggered: a socket emptied no longer comes back, so a full answer means more are waiting.
            for (int round = 0; round <= used / EVENTS; round++) {
                int ready;
                try {
                    ready = Libc.epoll_wait(epfd, eventsAddress, EVENTS, 0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    throw e;
                }
                for (int i = 0; i < ready; i++) {
                    Polled polled = slots[(int) events.getLong(i * EVENT_BYTES + EVENT_DATA_AT)];
                    if (polled != null) {
                        drain(polled, wallToNano);
                    }
                }
                if (ready < EVENTS) {
                    return;
                }
            }
        }

        /** Everything waiting in one socket, up to a few calls' worth (the rest is there at the next tick). */
        private void drain(Polled polled, long wallToNano) {
            for (int call = 0; call < 4 && !polled.removed; call++) {
                int received = reads.receive(polled.fd, MESSAGES);
                long now = System.nanoTime();
                for (int i = 0; i < received && !polled.removed; i++) {
                    byte[] data = reads.data(i);
                    InetSocketAddress from = reads.sender(i);
                    if (data != null && from != null) {
                        polled.channel.deliver(data, from, reads.arrivalNanos(i, wallToNano, now));
                    }
                }
                if (received < MESSAGES) {
                    return;
                }
            }
        }

        void close() {
            context.runOnContext(v -> {
                if (!stopped) {
                    stopped = true;
                    vertx.cancelTimer(timer);
                    Libc.close(epfd);
                }
            });
        }
    }
}
