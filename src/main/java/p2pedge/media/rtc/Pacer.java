package p2pedge.media.rtc;

import java.util.ArrayDeque;
import java.util.function.ObjIntConsumer;
import java.util.function.LongSupplier;

/**
 * Sends one viewer's packets (protected, audio and video alike) no faster than a rate: a keyframe comes from the
 * source as a burst at the source's own pace, and a home router whose queue holds a few tens of milliseconds of its
 * line drops the tail of such a burst; paced at what the viewer's path carries, the burst queues here instead. A
 * token bucket of {@link #BURST_NANOS} of the rate; what does not fit waits in a FIFO, drained by {@link #drain} (call
 * every few ms), bounded by {@link #MAX_QUEUE_NANOS} of the rate and {@link #MAX_QUEUE_PACKETS}: beyond it a packet is
 * dropped (and counted; a NACK gets it back from the viewer's cache). Rate 0: unpaced (each packet out at once).
 * A packet that waited has its transport-wide send time set to when it left ({@link TransportSequence#sentAt}), so
 * that waiting here is not read as a queue on the path. Pure (injected clock); on the forwarding thread.
 */
public final class Pacer {

    /** The most sent at once: 20 ms of the rate (two ticks), at least two full packets. */
    static final long BURST_NANOS = 20_000_000L;
    private static final int MIN_BURST_BYTES = 2 * 1_250;
    /** Half a second of the rate: what a viewer would rather lose and have resent than see late. */
    static final long MAX_QUEUE_NANOS = 500_000_000L;
    static final int MAX_QUEUE_PACKETS = 256;

    private record Waiting(byte[] datagram, int transportSequence) {
    }

    private final ObjIntConsumer<byte[]> out;
    private final Runnable onDrop;
    private final TransportSequence transport;
    private final LongSupplier clock;
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    private long rateBps;
    private double credit;
    private long creditAtNanos;
    private long queuedBytes;
    private long delayed;
    private long dropped;

    /**
     * @param out       sends a datagram ({@code datagram[0, length)}) to the viewer now, done with the array on return
     * @param onDrop    runs for each packet dropped because the queue was full (the owner counts it)
     * @param transport the viewer's transport-wide numbering (null: none), whose send times are corrected
     */
    public Pacer(ObjIntConsumer<byte[]> out, Runnable onDrop, TransportSequence transport, LongSupplier nanoClock) {
        this.out = out;
        this.onDrop = onDrop;
        this.transport = transport;
        this.clock = nanoClock;
    }

    /** Paces at {@code bitsPerSecond} from now (0: unpaced; what waits goes at the next {@link #drain}). */
    public void rate(long bitsPerSecond) {
        long now = clock.getAsLong();
        refill(now);
        rateBps = Math.max(0, bitsPerSecond);
        credit = Math.min(credit, burstBytes());
    }

    /**
     * The rate to pace a viewer at: a little under what its path's narrowest link was measured to carry
     * ({@link TransportSequence#bottleneckBps}), so that a burst queues here and not in a router that drops it; never
     * under a quarter more than what it is being sent (a stale or low measure must not starve its stream); unpaced
     * (0) until the path was measured.
     */
    public static long rateFor(long bottleneckBps, long sendingBps) {
        return bottleneckBps <= 0 ? 0 : Math.max(bottleneckBps * 9 / 10, sendingBps * 5 / 4);
    }

    public long rateBps() {
        return rateBps;
    }

    /**
     * The datagram {@code datagram[0, length)} for the viewer: out now when nothing waits and the bucket holds it, else
     * queued behind the others. The array may be the one the caller writes its next datagram into: sent from it when it
     * goes at once, copied only when it has to wait.
     *
     * @param numbered it just took the viewer's latest transport-wide number ({@link TransportSequence#last}); a
     *                 resend, or a packet outside the numbering, did not
     */
    public void send(byte[] datagram, int length, boolean numbered) {
        if (rateBps == 0) {
            drain(); // what waited from before the pacer was turned off goes first
        }
        long now = clock.getAsLong();
        refill(now);
        if (queue.isEmpty() && (rateBps == 0 || credit >= length)) {
            credit -= rateBps == 0 ? 0 : length;
            out.accept(datagram, length);
            return;
        }
        if (queue.size() >= MAX_QUEUE_PACKETS || queuedBytes + length > Math.max(burstBytes(), maxQueueBytes())) {
            dropped++;
            onDrop.run();
            return;
        }
        queue.add(new Waiting(java.util.Arrays.copyOf(datagram, length), numbered && transport != null ? transport.last() : -1));
        queuedBytes += length;
        delayed++;
    }

    /** Sends what the bucket holds of what waits. */
    public void drain() {
        if (queue.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        refill(now);
        while (!queue.isEmpty() && (rateBps == 0 || credit >= queue.peek().datagram().length)) {
            Waiting next = queue.poll();
            queuedBytes -= next.datagram().length;
            credit -= rateBps == 0 ? 0 : next.datagram().length;
            if (next.transportSequence() >= 0) {
                transport.sentAt(next.transportSequence(), now);
            }
            out.accept(next.datagram(), next.datagram().length);
        }
    }

    /** Bytes waiting. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** Packets that waited here, and packets dropped because the queue was full, since the pacer started. */
    public long delayed() {
        return delayed;
    }

    public long dropped() {
        return dropped;
    }

    private void refill(long now) {
        if (rateBps > 0) {
            credit = Math.min(burstBytes(), credit + rateBps * ((now - creditAtNanos) / 1e9) / 8);
        }
        creditAtNanos = now;
    }

    private long burstBytes() {
        return Math.max(MIN_BURST_BYTES, rateBps * BURST_NANOS / 8_000_000_000L);
    }

    private long maxQueueBytes() {
        return rateBps * MAX_QUEUE_NANOS / 8_000_000_000L;
    }
}
