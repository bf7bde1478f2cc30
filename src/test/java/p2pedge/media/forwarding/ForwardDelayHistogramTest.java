package p2pedge.media.forwarding;

import org.junit.jupiter.api.Test;
import p2pedge.media.ForwardDelays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ForwardDelayHistogramTest {

    @Test
    void aPacketCountsInTheFirstBucketWhoseBoundItDoesNotExceedAndInEveryBucketAbove() {
        ForwardDelayHistogram histogram = new ForwardDelayHistogram();
        histogram.record(0);
        histogram.record(250_000); // exactly the first bound
        histogram.record(250_001); // a nanosecond over it
        histogram.record(3_000_000);
        histogram.record(2_000_000_000L); // the last bound
        histogram.record(5_000_000_000L); // over every bound
        ForwardDelays delays = histogram.snapshot();
        assertEquals(6, delays.packets());
        // bounds (us): 250, 500, 1k, 2k, 5k, 10k, 20k, 50k, 100k, 200k, 500k, 1M, 2M
        assertArrayEquals(new long[]{2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5}, delays.within());
    }

    @Test
    void theSnapshotCrossesTheEventBusAsJsonAndAnUnknownLayoutReadsAsNone() {
        ForwardDelayHistogram histogram = new ForwardDelayHistogram();
        for (long nanos = 0; nanos < 3_000_000_000L; nanos += 7_000_000) {
            histogram.record(nanos);
        }
        ForwardDelays delays = histogram.snapshot();
        assertEquals(delays, ForwardDelays.fromJson(delays.toJson()));
        assertEquals(ForwardDelays.NONE, ForwardDelays.fromJson(null), "a plane that does not time its forwarding");
        assertEquals(ForwardDelays.NONE, ForwardDelays.fromJson(delays.toJson().put("within", new io.vertx.core.json.JsonArray().add(1))));
        assertThrows(IllegalArgumentException.class, () -> new ForwardDelays(new long[2], 2));
    }
}
