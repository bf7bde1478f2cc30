package p2pedge.media.forwarding;

import java.util.OptionalLong;

/**
 * When to try publishing again after an in-process publisher failed: exponential backoff from {@code firstMillis}
 * up to {@code maxMillis}, at most {@code attempts} tries in a row; a publication that comes up resets it. Bounded,
 * so a stream that cannot be published does not churn native connections (each closed one keeps some native
 * memory in webrtc-java 0.14.0) for ever. Pure.
 */
final class RepublishBackoff {

    private final long firstMillis;
    private final long maxMillis;
    private final int attempts;
    private int failures;

    RepublishBackoff(long firstMillis, long maxMillis, int attempts) {
        this.firstMillis = firstMillis;
        this.maxMillis = maxMillis;
        this.attempts = attempts;
    }

    /** The delay before the next try after one more failure, or empty once the tries are used up. */
    OptionalLong afterFailure() {
        if (failures >= attempts) {
            return OptionalLong.empty();
        }
        long delay = Math.min(maxMillis, firstMillis << Math.min(failures, 30));
        failures++;
        return OptionalLong.of(delay);
    }

    /** Tries used since the last success. */
    int failures() {
        return failures;
    }

    int attempts() {
        return attempts;
    }

    void succeeded() {
        failures = 0;
    }
}
