package p2pedge.media.rtc;

import com.sun.jna.Native;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * Native memory that one {@code recvmmsg(2)} fills: up to {@link #capacity} datagrams of a socket in one system call,
 * each with its sender and, where the socket asked for it ({@link #stampArrivals}), the time the kernel took it in.
 * Why: a system call per datagram is most of what reading costs on this kind of virtual machine (entering and leaving
 * the kernel), and a port that several hundred viewers send feedback to has a dozen datagrams waiting at each read.
 * Linux on 64-bit x86 and ARM only ({@link #available}). Not thread-safe: one per reading thread.
 */
public final class ReceiveBatch {

    private static final boolean AVAILABLE = NativeLibc.bind(Libc.class, e -> {
    });

    /**
     * The C library's calls, bound directly. No {@code LastErrorException}: a failed call returns -1, and building an
     * exception for every read that finds the socket empty (EAGAIN) would cost more than the read.
     */
    private static final class Libc {
        static native int recvmmsg(int fd, long messages, int count, int flags, long timeout);

        static native int setsockopt(int fd, int level, int name, long value, int length);
    }

    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    private static final int SOL_SOCKET = 1;
    /** SO_TIMESTAMPNS, also the type of its control message (SCM_TIMESTAMPNS), on x86 and ARM alike. */
    private static final int SO_TIMESTAMPNS = 35;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    // struct mmsghdr (LP64): msghdr {name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48}, len 56.
    private static final int HEADER_BYTES = 64;
    private static final int IOVEC_BYTES = 16;
    /** A sockaddr_in6 (28 bytes) fits either family. */
    private static final int NAME_BYTES = 32;
    /** One cmsghdr (16 bytes) and its struct timespec (16). */
    private static final int CONTROL_BYTES = 32;

    /** Whether batches can be made here (Linux, 64-bit x86 or ARM, the C library bound). */
    public static boolean available() {
        return AVAILABLE;
    }

    private final int capacity;
    private final int slotBytes;
    private final ByteBuffer memory;
    /** The native address of {@link #memory}. */
    private final long base;
    private final int namesAt;
    private final int controlsAt;
    private final int iovecsAt;
    private final int dataAt;
    /** The last sender decoded, handed out again for the same IPv4 address and port (one object per peer, mostly). */
    private int lastAddress;
    private int lastPort = -1;
    private InetSocketAddress lastFrom;

    /**
     * @param capacity  the most datagrams one {@link #receive} takes
     * @param slotBytes the largest datagram taken whole (a larger one is skipped: see {@link #data})
     */
    public ReceiveBatch(int capacity, int slotBytes) {
        if (!AVAILABLE) {
            throw new IllegalStateException("recvmmsg is not available here");
        }
        this.capacity = capacity;
        this.slotBytes = slotBytes;
        this.namesAt = capacity * HEADER_BYTES;
        this.controlsAt = namesAt + capacity * NAME_BYTES;
        this.iovecsAt = controlsAt + capacity * CONTROL_BYTES;
        this.dataAt = iovecsAt + capacity * IOVEC_BYTES;
        this.memory = ByteBuffer.allocateDirect(dataAt + capacity * slotBytes).order(ByteOrder.nativeOrder());
        this.base = address(memory);
        // What never changes: each header points at its own address and control slots and one iovec, which points at
        // its data.
        for (int i = 0; i < capacity; i++) {
            int header = i * HEADER_BYTES;
            memory.putLong(header, base + namesAt + (long) i * NAME_BYTES);
            memory.putLong(header + 16, base + iovecsAt + (long) i * IOVEC_BYTES);
            memory.putLong(header + 24, 1);
            memory.putLong(header + 32, base + controlsAt + (long) i * CONTROL_BYTES);
            memory.putLong(iovecsAt + i * IOVEC_BYTES, base + dataAt + (long) i * slotBytes);
            memory.putLong(iovecsAt + i * IOVEC_BYTES + 8, slotBytes);
        }
    }

    private static long address(ByteBuffer buffer) {
        return com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /** Asks the kernel to stamp each datagram of socket {@code fd} with its arrival; false where it refused. */
    public static boolean stampArrivals(int fd) {
        ByteBuffer one = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 1);
        return AVAILABLE && Libc.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, address(one), 4) == 0;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Takes what waits in socket {@code fd}, at most {@code max} datagrams (and {@link #capacity}), without waiting;
     * returns how many. 0 when nothing waits, and when the call failed (the socket closed, say): its owner's own reads
     * report that.
     */
    public int receive(int fd, int max) {
        int count = Math.min(max, capacity);
        resetLengths(count); // the kernel wrote the last call's address and control lengths over their room
        return Math.max(0, Libc.recvmmsg(fd, base, count, MSG_DONTWAIT, 0));
    }

    /**
     * The {@code i}th datagram of the last {@link #receive}, copied; null for one larger than a slot (cut short by the
     * kernel: no datagram of a viewer's is that large) or from a family other than IPv4 and IPv6.
     */
    public byte[] data(int i) {
        int header = i * HEADER_BYTES;
        if ((memory.getInt(header + 48) & MSG_TRUNC) != 0) {
            return null;
        }
        byte[] data = new byte[memory.getInt(header + 56)];
        memory.get(dataAt + i * slotBytes, data);
        return data;
    }

    /** Who sent the {@code i}th datagram; null for a family other than IPv4 and IPv6. */
    public InetSocketAddress sender(int i) {
        int at = namesAt + i * NAME_BYTES;
        int family = memory.getShort(at);
        int port = ((memory.get(at + 2) & 0xFF) << 8) | (memory.get(at + 3) & 0xFF);
        try {
            if (family == AF_INET) {
                int address = memory.getInt(at + 4);
                if (address == lastAddress && port == lastPort) {
                    return lastFrom;
                }
                byte[] raw = new byte[4];
                memory.get(at + 4, raw);
                InetSocketAddress from = new InetSocketAddress(InetAddress.getByAddress(raw), port);
                lastAddress = address;
                lastPort = port;
                lastFrom = from;
                return from;
            }
            if (family == AF_INET6) {
                byte[] raw = new byte[16];
                memory.get(at + 8, raw);
                int scope = memory.getInt(at + 24);
                // A v4-mapped address comes back as the IPv4 address it maps, as the JDK's own reads give it.
                InetAddress address = InetAddress.getByAddress(raw);
                if (scope != 0 && address instanceof Inet6Address) {
                    address = Inet6Address.getByAddress(null, raw, scope);
                }
                return new InetSocketAddress(address, port);
            }
        } catch (UnknownHostException e) {
            // not for an address of 4 or 16 bytes
        }
        return null;
    }

    /**
     * {@link System#nanoTime} less the wall clock's nanoseconds, now: what turns the kernel's wall-clock stamps into
     * {@link #arrivalNanos} (the two clocks tick alike; a caller reads it once per round of reads, not per datagram).
     */
    public static long wallToNano() {
        Instant now = Instant.now();
        return System.nanoTime() - (now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    /**
     * When the {@code i}th datagram arrived, in {@link System#nanoTime}'s time ({@code wallToNano}: that clock minus the
     * wall clock's nanoseconds); {@code orElse} when the kernel did not stamp it.
     */
    public long arrivalNanos(int i, long wallToNano, long orElse) {
        int header = i * HEADER_BYTES;
        int control = controlsAt + i * CONTROL_BYTES;
        if (memory.getLong(header + 40) >= CONTROL_BYTES && memory.getInt(control + 8) == SOL_SOCKET
                && memory.getInt(control + 12) == SO_TIMESTAMPNS) {
            return memory.getLong(control + 16) * 1_000_000_000L + memory.getLong(control + 24) + wallToNano;
        }
        return orElse;
    }

    private void resetLengths(int count) {
        for (int i = 0; i < count; i++) {
            memory.putInt(i * HEADER_BYTES + 8, NAME_BYTES);
            memory.putLong(i * HEADER_BYTES + 40, CONTROL_BYTES);
        }
    }
}
