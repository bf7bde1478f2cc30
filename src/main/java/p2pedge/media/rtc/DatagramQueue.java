package p2pedge.media.rtc;

import org.bouncycastle.tls.DatagramTransport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Bouncy Castle's blocking DTLS engine on top of the shared UDP port: datagrams for one remote address are
 * queued here by the port's handler, and the handshake thread takes them; what it sends goes back out
 * through the port. Bounded, so a flood from one address cannot grow memory; and, for the edge's side, a peer that
 * falls silent mid-handshake gives its thread back after a stall timeout instead of the whole handshake timeout.
 */
public final class DatagramQueue implements DatagramTransport {

    /** Typical path MTU minus IP/UDP headers: DTLS fragments its records to fit. */
    private static final int MTU = 1200;
    private static final int CAPACITY = 64;

    /** Put in the queue by {@link #close} to wake a reader at once. */
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> incoming = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<byte[]> sender;
    private final long stallMillis;
    private final LongSupplier clockMillis;
    /** Datagrams taken in and handed to the sender (diagnosis of a failed handshake). */
    private volatile long received;
    private volatile long sent;
    private volatile long lastArrival;
    private volatile boolean closed;

    /** A queue whose reader waits as long as DTLS asks (a client's side). */
    public DatagramQueue(Consumer<byte[]> sender) {
        this(sender, Long.MAX_VALUE, System::currentTimeMillis);
    }

    /**
     * @param stallMillis a read fails once the peer has sent nothing for this long
     * @param clockMillis the clock stalls are measured with
     */
    public DatagramQueue(Consumer<byte[]> sender, long stallMillis, LongSupplier clockMillis) {
        this.sender = sender;
        this.stallMillis = stallMillis;
        this.clockMillis = clockMillis;
        this.lastArrival = clockMillis.getAsLong();
    }

    /** From the port's handler: false when full (the datagram is dropped, DTLS retransmits). */
    public boolean offer(byte[] datagram) {
        if (closed || !incoming.offer(datagram)) {
            return false;
        }
        lastArrival = clockMillis.getAsLong();
        received++; // only the port's handler offers
        return true;
    }

    public long received() {
        return received;
    }

    public long sent() {
        return sent;
    }

    /** The handshake got its thread: time spent waiting for one is not the peer's silence. */
    public void begin() {
        lastArrival = clockMillis.getAsLong();
    }

    /** Datagrams waiting to be read. */
    public int pending() {
        return closed ? 0 : incoming.size();
    }

    @Override
    public int getReceiveLimit() {
        return 1500;
    }

    @Override
    public int getSendLimit() {
        return MTU;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        try {
            long silent = clockMillis.getAsLong() - lastArrival;
            if (incoming.isEmpty() && silent >= stallMillis) {
                throw new IOException("peer silent for " + silent + " ms");
            }
            long wait = Math.max(0, Math.min(waitMillis, stallMillis - silent));
            byte[] datagram = incoming.poll(wait, TimeUnit.MILLISECONDS);
            if (datagram == null) {
                return -1;
            }
            if (datagram == CLOSED) {
                throw new IOException("closed");
            }
            int n = Math.min(len, datagram.length);
            System.arraycopy(datagram, 0, buf, off, n);
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (!closed) {
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            sent++; // only the handshake's thread sends
            sender.accept(copy);
        }
    }

    @Override
    public void close() {
        closed = true;
        incoming.clear();
        incoming.offer(CLOSED);
    }
}
