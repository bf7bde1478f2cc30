package p2pedge.media.rtc;

import org.bouncycastle.tls.DatagramTransport;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Bouncy Castle's blocking DTLS engine on top of the shared UDP port: datagrams for one remote address are
 * queued here by the port's handler, and the handshake thread takes them; what it sends goes back out
 * through the port. Bounded, so a flood from one address cannot grow memory.
 */
public final class DatagramQueue implements DatagramTransport {

    /** Typical path MTU minus IP/UDP headers: DTLS fragments its records to fit. */
    private static final int MTU = 1200;
    private static final int CAPACITY = 64;

    private final BlockingQueue<byte[]> incoming = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<byte[]> sender;
    private volatile boolean closed;

    public DatagramQueue(Consumer<byte[]> sender) {
        this.sender = sender;
    }

    /** From the port's handler: false when full (the datagram is dropped, DTLS retransmits). */
    public boolean offer(byte[] datagram) {
        return !closed && incoming.offer(datagram);
    }

    /** Datagrams waiting to be read. */
    public int pending() {
        return incoming.size();
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
    public int receive(byte[] buf, int off, int len, int waitMillis) throws java.io.IOException {
        if (closed) {
            throw new java.io.IOException("closed");
        }
        try {
            byte[] datagram = incoming.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (datagram == null) {
                return -1;
            }
            int n = Math.min(len, datagram.length);
            System.arraycopy(datagram, 0, buf, off, n);
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (!closed) {
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            sender.accept(copy);
        }
    }

    @Override
    public void close() {
        closed = true;
        incoming.clear();
    }
}
