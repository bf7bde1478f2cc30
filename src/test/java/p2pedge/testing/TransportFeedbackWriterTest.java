package p2pedge.testing;

import org.junit.jupiter.api.Test;
import p2pedge.media.rtc.TransportFeedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What the load viewers write reads back, through the edge's own parser, as what arrived. */
class TransportFeedbackWriterTest {

    @Test
    void arrivalsAndLossesReadBackThroughTheEdgesParser() {
        TransportFeedbackWriter writer = new TransportFeedbackWriter();
        assertNull(writer.write(1, 2), "nothing arrived: no message");
        // 65534, 65535, (0 lost), 1 after 100 ms (a two-byte delta), 2 reordered before 1.
        writer.onPacket(65534, 1_000_000);
        writer.onPacket(65535, 1_005_000);
        writer.onPacket(2, 1_106_000);
        writer.onPacket(1, 1_105_000);
        byte[] message = writer.write(1, 2);
        assertEquals(0, message.length % 4);
        TransportFeedback read = TransportFeedback.parse(message, 0, message.length).orElseThrow();
        assertEquals(65534, read.baseSequence());
        assertEquals(5, read.count());
        long[] arrivals = read.arrivalMicros();
        assertEquals(TransportFeedback.LOST, arrivals[2]);
        assertArrayEquals(new long[]{5_000, 105_000, 106_000},
                new long[]{arrivals[1] - arrivals[0], arrivals[3] - arrivals[0], arrivals[4] - arrivals[0]});

        writer.onPacket(65535, 1_200_000); // reported already: not again
        writer.onPacket(3, 1_200_000);
        TransportFeedback second = TransportFeedback.parse(writer.write(1, 2), 0, 20 + 4).orElseThrow();
        assertEquals(3, second.baseSequence());
        assertEquals(1, second.count());
        assertEquals(1, second.feedbackCount());
    }

    @Test
    void aLongRunSplitsAtTheMessageLimitAndADuplicateKeepsItsFirstArrival() {
        TransportFeedbackWriter writer = new TransportFeedbackWriter();
        for (int i = 0; i < 1_500; i++) {
            writer.onPacket((65_000 + i) & 0xFFFF, 2_000_000 + 1_000L * i);
        }
        writer.onPacket(65_000, 9_000_000); // a duplicate of the first: its first arrival counts
        byte[] first = writer.write(1, 2);
        TransportFeedback one = TransportFeedback.parse(first, 0, first.length).orElseThrow();
        assertEquals(65_000, one.baseSequence());
        assertEquals(1_000, one.count());
        assertEquals(1_000, one.arrivalMicros()[1] - one.arrivalMicros()[0]);
        byte[] second = writer.write(1, 2);
        TransportFeedback two = TransportFeedback.parse(second, 0, second.length).orElseThrow();
        assertEquals((65_000 + 1_000) & 0xFFFF, two.baseSequence());
        assertEquals(500, two.count());
        assertNull(writer.write(1, 2), "everything reported");
    }
}
