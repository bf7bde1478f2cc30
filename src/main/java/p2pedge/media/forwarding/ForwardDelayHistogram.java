package p2pedge.media.forwarding;

import p2pedge.media.ForwardDelays;

import java.util.concurrent.atomic.LongAdder;

/** Counts each source packet's stay in the edge into {@link ForwardDelays}' buckets. Thread-safe. */
final class ForwardDelayHistogram {

    /** Per bucket, packets above the previous bound and at most this one's; the last: above every bound. */
    private final LongAdder[] buckets = new LongAdder[ForwardDelays.BOUNDS_MICROS.length + 1];

    ForwardDelayHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        long micros = (nanos + 999) / 1_000; // rounded up: a bucket never holds more than its bound
        int bucket = 0;
        while (bucket < ForwardDelays.BOUNDS_MICROS.length && micros > ForwardDelays.BOUNDS_MICROS[bucket]) {
            bucket++;
        }
        buckets[bucket].increment();
    }

    ForwardDelays snapshot() {
        long[] within = new long[ForwardDelays.BOUNDS_MICROS.length];
        long running = 0;
        for (int i = 0; i < within.length; i++) {
            running += buckets[i].sum();
            within[i] = running;
        }
        return new ForwardDelays(within, running + buckets[within.length].sum());
    }
}
