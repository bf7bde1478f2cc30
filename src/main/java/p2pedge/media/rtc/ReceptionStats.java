package p2pedge.media.rtc;

/**
 * What a receiver reports about one source SSRC (RFC 3550 section 6.4.1 and appendices A.3 and A.8): the
 * extended highest sequence number, packets lost in total and since the last report, and interarrival jitter
 * in timestamp units; plus the last sender report heard, for the round-trip time the sender computes from
 * LSR and DLSR. Not thread-safe: fed and read on the thread that receives the source.
 */
public final class ReceptionStats {

    private final int clockRate;
    private boolean started;
    private int baseSequence;
    private int maxSequence;
    private int cycles;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private double lastArrival;
    private long lastTimestamp;
    private boolean haveTransit;
    private long lastSrMiddle;
    private long lastSrArrivalNanos;

    public ReceptionStats(int clockRate) {
        this.clockRate = clockRate;
    }

    /** One packet of the source, as received (duplicates and reordering are counted as RFC 3550 does). */
    public void onPacket(int sequence, long rtpTimestamp, long arrivalNanos) {
        if (!started) {
            started = true;
            baseSequence = maxSequence = sequence;
        } else {
            if (SequenceNumbers.newer(sequence, maxSequence)) {
                if (sequence < maxSequence) {
                    cycles++;
                }
                maxSequence = sequence;
            }
        }
        received++;
        // Jitter: the variation of transit time, in the source's clock. Differences only, so neither the
        // arrival clock's origin nor the 32-bit RTP timestamp's wrap matters (and nothing overflows).
        double arrival = arrivalNanos / 1e9 * clockRate;
        if (haveTransit) {
            double d = Math.abs((arrival - lastArrival) - (int) (rtpTimestamp - lastTimestamp));
            jitter += (d - jitter) / 16.0;
        }
        lastArrival = arrival;
        lastTimestamp = rtpTimestamp;
        haveTransit = true;
    }

    /** The source's sender report arrived: remember its NTP time (middle 32 bits) and when it came. */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSrMiddle = (ntpTimestamp >>> 16) & 0xFFFFFFFFL;
        lastSrArrivalNanos = arrivalNanos;
    }

    public boolean started() {
        return started;
    }

    public long extendedHighestSequence() {
        return ((long) cycles << 16) | maxSequence;
    }

    public long expected() {
        return started ? extendedHighestSequence() - baseSequence + 1 : 0;
    }

    /** Lost so far; negative when duplicates outnumber losses, as RFC 3550 allows. */
    public long cumulativeLost() {
        return expected() - received;
    }

    public long jitter() {
        return (long) jitter;
    }

    /** A report block for now; moves the "since the last report" interval on. */
    public Rtcp.ReportBlock reportBlock(int sourceSsrc, long nowNanos) {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        long dlsr = lastSrArrivalNanos == 0 ? 0 : (nowNanos - lastSrArrivalNanos) * 65_536 / 1_000_000_000L;
        return new Rtcp.ReportBlock(sourceSsrc, Math.min(fraction, 255), cumulativeLost(), extendedHighestSequence(),
                jitter(), lastSrMiddle, lastSrArrivalNanos == 0 ? 0 : dlsr);
    }
}
