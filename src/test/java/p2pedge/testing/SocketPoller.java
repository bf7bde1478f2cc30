package p2pedge.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import p2pedge.media.rtc.NativeLibc;
import p2pedge.media.rtc.UdpChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
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

    private static final boolean AVAILABLE = NativeLibc.bind(Libc.class, e -> {
    });

    /** The C library's calls, bound directly. Pointers are passed as native addresses. */
    private static final class Libc {
        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, long event) throws LastErrorException;

        static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) throws LastErrorException;

        static native int recvmmsg(int fd, long messages, int count, int flags, long timeout) throws LastErrorException;

        static native int setsockopt(int fd, int level, int name, long value, int length) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }

    private static final int EPOLLIN = 0x001;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    private static final int SOL_SOCKET = 1;
    /** SO_TIMESTAMPNS, also the type of its control message (SCM_TIMESTAMPNS), on x86 and ARM alike. */
    private static final int SO_TIMESTAMPNS = 35;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    /** struct epoll_event: packed on x86-64 (12 bytes, its data at 4), natural elsewhere (16, at 8). */
    private static final int EVENT_BYTES = Platform.isIntel() ? 12 : 16;
    private static final int EVENT_DATA_AT = Platform.isIntel() ? 4 : 8;
    /** Ready sockets taken per epoll_wait; a tick calls it again while it comes back full. */
    private static final int EVENTS = 256;
    /** Datagrams per recvmmsg: a 20 ms tick finds two or three for a viewer of a 600 kbit/s stream. */
    private static final int MESSAGES = 32;
    private static final int SLOT_BYTES = 2_048;
    // struct mmsghdr (LP64): msghdr {name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48}, len 56.
    private static final int HEADER_BYTES = 64;
    private static final int IOVEC_BYTES = 16;
    private static final int NAME_BYTES = 32;
    /** One cmsghdr (16 bytes) and its struct timespec (16). */
    private static final int CONTROL_BYTES = 32;

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
        /** The last sender, kept so that a viewer's datagrams from one address share one object. */
        private int lastAddress;
        private int lastPort = -1;
        private InetSocketAddress lastFrom;

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
        private final ByteBuffer messages;
        private final long messagesAddress;
        private final int namesAt = MESSAGES * HEADER_BYTES;
        private final int controlsAt = namesAt + MESSAGES * NAME_BYTES;
        private final int iovecsAt = controlsAt + MESSAGES * CONTROL_BYTES;
        private final int dataAt = iovecsAt + MESSAGES * IOVEC_BYTES;
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
            this.messages = ByteBuffer.allocateDirect(dataAt + MESSAGES * SLOT_BYTES).order(ByteOrder.nativeOrder());
            this.messagesAddress = address(messages);
            for (int i = 0; i < MESSAGES; i++) {
                int header = i * HEADER_BYTES;
                messages.putLong(header, messagesAddress + namesAt + (long) i * NAME_BYTES);
                messages.putLong(header + 16, messagesAddress + iovecsAt + (long) i * IOVEC_BYTES);
                messages.putLong(header + 24, 1);
                messages.putLong(header + 32, messagesAddress + controlsAt + (long) i * CONTROL_BYTES);
                messages.putLong(iovecsAt + i * IOVEC_BYTES, messagesAddress + dataAt + (long) i * SLOT_BYTES);
                messages.putLong(iovecsAt + i * IOVEC_BYTES + 8, SLOT_BYTES);
            }
            resetLengths(MESSAGES);
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
            ByteBuffer one = ByteBuffer.allocateDirect(EVENT_BYTES).order(ByteOrder.nativeOrder());
            one.putInt(0, 1);
            Libc.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, address(one), 4);
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
            Instant now = Instant.now();
            long wallToNano = System.nanoTime() - (now.getEpochSecond() * 1_000_000_000L + now.getNano());
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
                int received;
                try {
                    received = Libc.recvmmsg(polled.fd, messagesAddress, MESSAGES, MSG_DONTWAIT, 0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    if (e.getErrorCode() != EAGAIN) {
                        polled.remove(); // e.g. the socket closed under it: it has nothing more to give
                    }
                    return;
                }
                for (int i = 0; i < received && !polled.removed; i++) {
                    deliver(polled, i, wallToNano);
                }
                resetLengths(received);
                if (received < MESSAGES) {
                    return;
                }
            }
        }

        /** The address and control lengths of the first {@code count} headers, which the kernel wrote, back to their room. */
        private void resetLengths(int count) {
            for (int i = 0; i < count; i++) {
                messages.putInt(i * HEADER_BYTES + 8, NAME_BYTES);
                messages.putLong(i * HEADER_BYTES + 40, CONTROL_BYTES);
            }
        }

        private void deliver(Polled polled, int i, long wallToNano) {
            int header = i * HEADER_BYTES;
            if ((messages.getInt(header + 48) & MSG_TRUNC) != 0) {
                return; // larger than a slot: no datagram of a viewer's is
            }
            InetSocketAddress from = sender(polled, namesAt + i * NAME_BYTES);
            if (from == null) {
                return;
            }
            byte[] data = new byte[messages.getInt(header + 56)];
            messages.get(dataAt + i * SLOT_BYTES, data);
            long readNanos = System.nanoTime();
            int control = controlsAt + i * CONTROL_BYTES;
            if (messages.getLong(header + 40) >= CONTROL_BYTES && messages.getInt(control + 8) == SOL_SOCKET
                    && messages.getInt(control + 12) == SO_TIMESTAMPNS) {
                readNanos = messages.getLong(control + 16) * 1_000_000_000L + messages.getLong(control + 24) + wallToNano;
            }
            polled.channel.deliver(data, from, readNanos);
        }

        /** The sockaddr at {@code at}, the last one's object again when it is the same IPv4 address and port. */
        private InetSocketAddress sender(Polled polled, int at) {
            int family = messages.getShort(at);
            int port = ((messages.get(at + 2) & 0xFF) << 8) | (messages.get(at + 3) & 0xFF);
            byte[] raw;
            if (family == AF_INET) {
                int address = messages.getInt(at + 4);
                if (address == polled.lastAddress && port == polled.lastPort) {
                    return polled.lastFrom;
                }
                raw = new byte[4];
                messages.get(at + 4, raw);
                polled.lastAddress = address;
            } else if (family == AF_INET6) {
                raw = new byte[16];
                messages.get(at + 8, raw);
                polled.lastAddress = 0;
            } else {
                return null;
            }
            try {
                InetSocketAddress from = new InetSocketAddress(InetAddress.getByAddress(raw), port);
                polled.lastPort = family == AF_INET ? port : -1;
                polled.lastFrom = from;
                return from;
            } catch (UnknownHostException e) {
                return null; // not for an address of 4 or 16 bytes
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
