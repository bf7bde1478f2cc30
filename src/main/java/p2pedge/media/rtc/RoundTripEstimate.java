package p2pedge.media.rtc;

/**
 * A smoothed round-trip time and its variation from samples (RFC 6298's estimator: gains 1/8 and 1/4), and the
 * timeout it implies: how long to wait for an answer before asking again. A single late or early sample moves it
 * little. Pure; not thread-safe.
 */
public final class RoundTripEstimate {

    private double smoothed = -1;
    private double variation;

    /** One measured round trip, in milliseconds (negative ones are ignored). */
    public void sample(double millis) {
        if (millis < 0) {
            return;
        }
        if (smoothed < 0) {
            smoothed = millis;
            variation = millis / 2;
        } else {
            variation = 0.75 * variation + 0.25 * Math.abs(smoothed - millis);
            smoothed = 0.875 * smoothed + 0.125 * millis;
        }
    }

    /** The smoothed round trip in milliseconds; -1 before the first sample. */
    public double smoothedMillis() {
        return smoothed;
    }

    /**
     * How long to wait for an answer: the smoothed round trip plus four times its variation, within
     * {@code floorMillis} .. {@code capMillis}; {@code floorMillis} before the first sample.
     */
    public long timeoutMillis(long floorMillis, long capMillis) {
        if (smoothed < 0) {
            return floorMillis;
        }
        return Math.max(floorMillis, Math.min(capMillis, Math.round(smoothed + 4 * variation)));
    }
}
