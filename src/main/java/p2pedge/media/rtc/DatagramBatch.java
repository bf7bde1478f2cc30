package p2pedge.media.rtc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One thread's datagrams for one UDP socket, handed to the kernel together by {@code sendmmsg(2)}: a fan-out sends one
 * source packet, protected for each viewer, to hundreds of addresses in a row, and a system call per datagram cost
 * about a fifth more of the kernel's time than one per {@link #CAPACITY} datagrams (C on this machine, loopback, 1,200
 * bytes). Linux on 64-bit x86 and ARM only ({@link #available}); elsewhere the socket sends one by one. Holds at most
 * {@link #CAPACITY} datagrams of at most {@link #SLOT_BYTES} bytes, in one block of native memory laid out as the
 * kernel reads it. Not thread-safe: one per thread and socket (see {@link UdpChannel#batched}).
 */
final class DatagramBatch {

    private static final Logger LOG = Logger.getLogger(DatagramBatch.class.getName());

    /** Datagrams per system call: the saving is nearly all there by 64, and the first waits at most 63 others. */
    static final int CAPACITY = 64;
    /** The largest datagram a slot holds (an Ethernet MTU's payload); a larger one is sent on its own. */
    static final int SLOT_BYTES = 1_500;

    // struct mmsghdr (LP64): msghdr {name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48}, len 56.
    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    /** A sockaddr_in6 (28 bytes) fits either family; rounded up to 32. */
    private static final int SOCKADDR = 32;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EBADF = 9;

    private static final boolean AVAILABLE = NativeLibc.bind(Libc.class,
            e -> LOG.log(Level.INFO, "sendmmsg not available, datagrams go one by one: " + e));

    /** The C library's {@code sendmmsg}, bound directly (no per-call reflection). */
    private static final class Libc {
        static native int sendmmsg(int fd, long messages, int count, int flags) throws LastErrorException;
    }

    /** Whether batches can be made here (Linux, 64-bit x86 or ARM, the C library bound). */
    static boolean available() {
        return AVAILABLE;
    }

    private final int fd;
    private final boolean ipv6;
    private final ByteBuffer memory;
    /** The native address of {@link #memory}. */
    private final long base;
    private final int iovecsAt;
    private final int namesAt;
    private final int dataAt;
    private int count;

    /**
     * @param fd   the socket's file descriptor (non-blocking: a full send buffer refuses, never waits)
     * @param ipv6 it is an AF_INET6 socket (IPv4 destinations are written v4-mapped)
     */
    DatagramBatch(int fd, boolean ipv6) {
        if (!AVAILABLE) {
            throw new IllegalStateException("sendmmsg is not available here");
        }
        this.fd = fd;
        this.ipv6 = ipv6;
        this.iovecsAt = CAPACITY * MMSGHDR;
        this.namesAt = iovecsAt + CAPACITY * IOVEC;
        this.dataAt = namesAt + CAPACITY * SOCKADDR;
        this.memory = ByteBuffer.allocateDirect(dataAt + CAPACITY * SLOT_BYTES).order(ByteOrder.nativeOrder());
        this.base = com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(memory));
        // What never changes: each header points at its own address slot and its one iovec, which points at its data.
        for (int i = 0; i < CAPACITY; i++) {
            int header = i * MMSGHDR;
            memory.putLong(header, base + namesAt + (long) i * SOCKADDR);
            memory.putLong(header + 16, base + iovecsAt + (long) i * IOVEC);
            memory.putLong(header + 24, 1);
            memory.putLong(iovecsAt + i * IOVEC, base + dataAt + (long) i * SLOT_BYTES);
        }
    }

    /** Datagrams waiting for {@link #flush}. */
    int size() {
        return count;
    }

    boolean full() {
        return count == CAPACITY;
    }

    /**
     * Takes {@code datagram[0, length)} for the next flush (a copy: the array is the caller's again); false (nothing
     * taken) when it cannot go in a batch (larger than a slot, an IPv6 address on an IPv4 socket, an unresolved one) or
     * the batch is full.
     */
    boolean add(byte[] datagram, int length, InetSocketAddress to) {
        InetAddress address = to.getAddress();
        if (count == CAPACITY || length > SLOT_BYTES || address == null || (!ipv6 && !(address instanceof Inet4Address))) {
            return false;
        }
        int header = count * MMSGHDR;
        int name = namesAt + count * SOCKADDR;
        memory.putInt(header + 8, writeAddress(name, address, to.getPort()));
        memory.putLong(iovecsAt + count * IOVEC + 8, length);
        memory.put(dataAt + count * SLOT_BYTES, datagram, 0, length);
        count++;
        return true;
    }

    /** Writes a sockaddr_in (or sockaddr_in6) at {@code at}; returns its length. */
    private int writeAddress(int at, InetAddress address, int port) {
        byte[] raw = address.getAddress();
        if (!ipv6) {
            memory.putShort(at, (short) AF_INET);
            memory.put(at + 2, (byte) (port >> 8)).put(at + 3, (byte) port);
            memory.put(at + 4, raw);
            memory.putLong(at + 8, 0);
            return 16;
        }
        memory.putShort(at, (short) AF_INET6);
        memory.put(at + 2, (byte) (port >> 8)).put(at + 3, (byte) port);
        memory.putInt(at + 4, 0); // flow info
        if (raw.length == 4) {
            memory.putLong(at + 8, 0);
            memory.putShort(at + 16, (short) 0).put(at + 18, (byte) 0xFF).put(at + 19, (byte) 0xFF); // ::ffff:a.b.c.d
            memory.put(at + 20, raw);
            memory.putInt(at + 24, 0);
        } else {
            memory.put(at + 8, raw);
            memory.putInt(at + 24, address instanceof java.net.Inet6Address v6 ? v6.getScopeId() : 0);
        }
        return 28;
    }

    /** Empties the batch unsent (its socket closed); returns how many datagrams it held. */
    int clear() {
        int held = count;
        count = 0;
        return held;
    }

    /**
     * Hands what waits to the kernel and empties the batch; returns how many datagrams it refused: all that were left
     * when the socket's send buffer was full (the edge sends more than its link takes: dropped, never queued), or one it
     * refused alone (no route to its address; the rest still go).
     */
    int flush() {
        int sent = 0;
        int refused = 0;
        while (sent < count) {
            try {
                int n = Libc.sendmmsg(fd, base + (long) sent * MMSGHDR, count - sent, 0);
                if (n <= 0) {
                    refused += count - sent;
                    break;
                }
                sent += n;
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EBADF) {
                    refused += count - sent;
                    break;
                }
                refused++; // this one datagram's error: the next is sent
                sent++;
            }
        }
        count = 0;
        return refused;
    }
}
