package p2pedge.media;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;

/**
 * How long source RTP packets stayed in the edge, from their read off the socket to the end of their fan-out (every
 * viewer's copy handed to the kernel, or to that viewer's pacer), as a histogram: {@code within[i]} packets took at
 * most {@link #BOUNDS_MICROS}{@code [i]}, {@code packets} in all. An edge that cannot keep up shows it here first: its
 * packets wait for the forwarding thread before any viewer sees loss.
 */
public record ForwardDelays(long[] within, long packets) {

    /** The buckets' upper bounds, microseconds: a fan-out to a thousand viewers takes a few milliseconds. */
    public static final long[] BOUNDS_MICROS = {250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000,
            500_000, 1_000_000, 2_000_000};

    public static final ForwardDelays NONE = new ForwardDelays(new long[BOUNDS_MICROS.length], 0);

    public ForwardDelays {
        if (within.length != BOUNDS_MICROS.length) {
            throw new IllegalArgumentException("a count per bound: " + BOUNDS_MICROS.length + ", not " + within.length);
        }
        within = within.clone();
    }

    @Override
    public long[] within() {
        return within.clone();
    }

    public long within(int bucket) {
        return within[bucket];
    }

    public JsonObject toJson() {
        return new JsonObject().put("within", new JsonArray(Arrays.stream(within).boxed().toList())).put("packets", packets);
    }

    public static ForwardDelays fromJson(JsonObject json) {
        JsonArray counts = json == null ? null : json.getJsonArray("within");
        if (counts == null || counts.size() != BOUNDS_MICROS.length) {
            return NONE; // a plane that does not time its forwarding (or another edge version's bounds)
        }
        long[] within = new long[counts.size()];
        for (int i = 0; i < within.length; i++) {
            within[i] = counts.getLong(i);
        }
        return new ForwardDelays(within, json.getLong("packets", 0L));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardDelays other && packets == other.packets && Arrays.equals(within, other.within);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(within) + Long.hashCode(packets);
    }

    @Override
    public String toString() {
        return "ForwardDelays" + Arrays.toString(within) + " of " + packets;
    }
}
