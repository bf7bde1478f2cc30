package p2pedge.media.rtc;

/**
 * One viewer's transport-wide sequence numbers (draft-holmer-rmcat-transport-wide-cc-extensions-01): every packet the
 * edge sends it, audio and video, takes the next one, and what was sent under each (when, how many bytes) is kept for
 * the last {@link #HISTORY} packets, so that the viewer's feedback ({@link TransportFeedback}) says what reached it:
 * the rate delivered to it and the share lost, over each second of the edge's clock, and the queue building on the path
 * (how far one-way delays rise above the lowest seen). Pure (injected clock); confined
 * to the forwarding thread, shared by the viewer's video and audio forwarders.
 */
public final class TransportSequence {

    public static final String URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** The id the edge offers it under (one-byte header form: 1-14). */
    public static final int OFFERED_ID = 5;
    /** About 10 s of a 600 kbit/s stream with its audio; feedback comes every 50-100 ms. 12 kB per viewer. */
    static final int HISTORY = 1_024;
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final java.util.function.LongSupplier clock;
    private final long[] sentNanos = new long[HISTORY];
    private final int[] sentBytes = new int[HISTORY];
    /** Which sequence number each slot holds (-1: none), so a stale or forged one is not read as another's. */
    private final int[] slotSequence = new int[HISTORY];
    private int next;
    private long windowStart;
    private long windowBytes;
    private long windowReceived;
    private long windowLost;
    private long deliveredBps = -1;
    private double lossFraction;
    private long feedbacks;
    private boolean sent;
    /** One-way delay (arrival in the viewer's clock minus send in the edge's: an unknown offset plus the path's delay). */
    private long baseDelayMicros = Long.MAX_VALUE;
    private long baseDelayAtNanos;
    private long queueingMicros;
    private long lastFeedbackNanos;
    /** A probe's packets: those sent from {@code probeFromNanos} on, what of them arrived and over how long. */
    private long probeFromNanos = Long.MAX_VALUE;
    private long probeBytes;
    private long probeFirstArrival = Long.MAX_VALUE;
    private long probeLastArrival = Long.MIN_VALUE;
    /** The lowest one-way delay seen is the path's own (empty queues); it is forgotten after this long (routes change). */
    private static final long BASE_DELAY_WINDOW_NANOS = 10_000_000_000L;

    public TransportSequence(java.util.function.LongSupplier nanoClock) {
        this.clock = nanoClock;
        java.util.Arrays.fill(slotSequence, -1);
    }

    /**
     * What the path's narrowest link carries, from packets that queued at it: when one arrives later after the one
     * before than it was sent after it, it waited for that one, so the gap between their arrivals is its size over the
     * link's rate. Summed over a feedback's such pairs ({@link #BOTTLENECK_MIN_PAIRS}, {@link #BOTTLENECK_MIN_MICROS}),
     * smoothed across feedbacks; -1 before any.
     */
    private double bottleneckBps = -1;
    private long bottleneckAtNanos;
    /**
     * A measure this old is forgotten: a viewer paced under its link never queues there again, so a link that got
     * faster would go unseen; with none the next burst that queues measures it anew.
     */
    static final long BOTTLENECK_MAX_AGE_NANOS = 30_000_000_000L;
    static final int BOTTLENECK_MIN_PAIRS = 4;
    static final long BOTTLENECK_MIN_MICROS = 8_000;
    /** Arrival gaps within this of the send gap are the path's jitter, not a queue (feedback counts in 250 us). */
    private static final long QUEUED_SLACK_MICROS = 1_000;
    private static final double BOTTLENECK_SMOOTHING = 0.3;

    /** The number for a packet of {@code bytes} sent now. */
    public int next(int bytes) {
        int sequence = next;
        next = (next + 1) & 0xFFFF;
        int slot = sequence & (HISTORY - 1);
        long now = clock.getAsLong();
        if (!sent) {
            sent = true;
            windowStart = now; // the first second is measured from the first packet
        }
        sentNanos[slot] = now;
        sentBytes[slot] = bytes;
        slotSequence[slot] = sequence;
        return sequence;
    }

    /** The number given last (-1 before any). */
    public int last() {
        return sent ? (next - 1) & 0xFFFF : -1;
    }

    /** Packet {@code sequence} left only now (it waited to be paced): its send time is when it left. */
    public void sentAt(int sequence, long nanos) {
        int slot = sequence & (HISTORY - 1);
        if (slotSequence[slot] == sequence) {
            sentNanos[slot] = nanos;
        }
    }

    /**
     * What the path's narrowest link carries, bit/s, measured from packets that queued at it; -1 before any did, and
     * once the last measure is older than {@link #BOTTLENECK_MAX_AGE_NANOS}.
     */
    public long bottleneckBps() {
        return bottleneckMeasured(clock.getAsLong()) ? Math.round(bottleneckBps) : -1;
    }

    /** Whether the narrowest link was measured, and not too long ago to hold. */
    private boolean bottleneckMeasured(long now) {
        return bottleneckBps > 0 && now - bottleneckAtNanos <= BOTTLENECK_MAX_AGE_NANOS;
    }

    /** What the viewer says reached it. Packets it names that the edge no longer (or never) sent are ignored. */
    public void onFeedback(TransportFeedback feedback) {
        long now = clock.getAsLong();
        feedbacks++;
        long[] arrivals = feedback.arrivalMicros();
        long highestDelay = Long.MIN_VALUE;
        long previousArrival = Long.MIN_VALUE;
        long previousSent = 0;
        long queuedBytes = 0;
        long queuedMicros = 0;
        int queuedPairs = 0;
        for (int i = 0; i < arrivals.length; i++) {
            int sequence = (feedback.baseSequence() + i) & 0xFFFF;
            int slot = sequence & (HISTORY - 1);
            if (slotSequence[slot] != sequence) {
                previousArrival = Long.MIN_VALUE;
                continue;
            }
            if (arrivals[i] == TransportFeedback.LOST) {
                windowLost++;
                previousArrival = Long.MIN_VALUE;
            } else {
                long arrivalGap = arrivals[i] - previousArrival;
                if (previousArrival != Long.MIN_VALUE && arrivalGap > (sentNanos[slot] - previousSent) / 1_000 + QUEUED_SLACK_MICROS) {
                    queuedPairs++;
                    queuedBytes += sentBytes[slot];
                    queuedMicros += arrivalGap;
                }
                previousArrival = arrivals[i];
                previousSent = sentNanos[slot];
                windowReceived++;
                windowBytes += sentBytes[slot];
                slotSequence[slot] = -1; // counted once, however often it is reported
                if (sentNanos[slot] >= probeFromNanos) {
                    probeBytes += sentBytes[slot];
                    probeFirstArrival = Math.min(probeFirstArrival, arrivals[i]);
                    probeLastArrival = Math.max(probeLastArrival, arrivals[i]);
                }
                long delay = arrivals[i] - sentNanos[slot] / 1_000;
                highestDelay = Math.max(highestDelay, delay);
                if (delay < baseDelayMicros || now - baseDelayAtNanos > BASE_DELAY_WINDOW_NANOS) {
                    baseDelayMicros = delay;
                    baseDelayAtNanos = now;
                }
            }
        }
        if (queuedPairs >= BOTTLENECK_MIN_PAIRS && queuedMicros >= BOTTLENECK_MIN_MICROS) {
            double sample = queuedBytes * 8 * 1e6 / queuedMicros;
            bottleneckBps = bottleneckMeasured(now) ? bottleneckBps + BOTTLENECK_SMOOTHING * (sample - bottleneckBps) : sample;
            bottleneckAtNanos = now;
        }
        if (highestDelay != Long.MIN_VALUE) {
            queueingMicros = highestDelay - baseDelayMicros;
            lastFeedbackNanos = now;
        }
        if (now - windowStart >= WINDOW_NANOS) {
            deliveredBps = windowBytes * 8 * 1_000_000_000L / (now - windowStart);
            long reported = windowReceived + windowLost;
            lossFraction = reported == 0 ? 0 : (double) windowLost / reported;
            windowStart = now;
            windowBytes = 0;
            windowReceived = 0;
            windowLost = 0;
        }
    }

    /** The rate the viewer's feedback says reached it over the last full second, bit/s; -1 before any. */
    public long deliveredBps() {
        return deliveredBps;
    }

    /** The share of the packets reported in that second that did not arrive (a later report of one that did wins). */
    public double lossFraction() {
        return lossFraction;
    }

    /**
     * How much longer than the path's own delay its slowest packet in the latest feedback took, in microseconds: the
     * queue that built up on the way (a link carrying more than it can); 0 before any feedback.
     */
    public long queueingMicros() {
        return queueingMicros;
    }

    /** Measures what arrives of the packets sent from now on (a probe): see {@link #probeReceivedBps}. */
    public void markProbe() {
        probeFromNanos = clock.getAsLong();
        probeBytes = 0;
        probeFirstArrival = Long.MAX_VALUE;
        probeLastArrival = Long.MIN_VALUE;
    }

    /**
     * The rate at which the packets sent since {@link #markProbe} arrived, in the viewer's clock: bytes over the time
     * between the first and the last arrival (a shaper that lets a burst through and then holds the rest shows here as
     * a rate under what was sent); -1 before 100 ms of arrivals.
     */
    public long probeReceivedBps() {
        long span = probeLastArrival - probeFirstArrival;
        return span < 100_000 ? -1 : probeBytes * 8 * 1_000_000 / span;
    }

    /** When the latest feedback that named a packet came (the clock's nanos), 0 before any. */
    public long lastFeedbackNanos() {
        return lastFeedbackNanos;
    }

    public long feedbacks() {
        return feedbacks;
    }
}
