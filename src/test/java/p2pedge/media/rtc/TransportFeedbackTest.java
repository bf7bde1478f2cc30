package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportFeedbackTest {

    /** An RTPFB FMT 15 message around {@code fci} (base, count, reference time, feedback count, chunks, deltas). */
    private static byte[] message(byte[] fci) {
        int padded = (fci.length + 3) / 4 * 4;
        ByteBuffer b = ByteBuffer.allocate(12 + padded);
        b.put((byte) 0x8F).put((byte) 205).putShort((short) ((12 + padded) / 4 - 1)).putInt(0x1111).putInt(0x2222).put(fci);
        return b.array();
    }

    @Test
    void readsRunLengthAndStatusVectorChunksWithTheirDeltas() {
        ByteBuffer clean = ByteBuffer.allocate(64);
        clean.putShort((short) 65_534).putShort((short) 6); // base 65534 (it wraps), 6 packets
        clean.put((byte) 0).put((byte) 0).put((byte) 2).put((byte) 9); // reference time 2 x 64 ms, feedback #9
        clean.putShort((short) 0x2002); // small, small
        clean.putShort((short) (0xC000 | (0b00 << 12) | (0b10 << 10) | (0b01 << 8) | (0b01 << 6))); // lost, large, small, small
        clean.put((byte) 4).put((byte) 8); // deltas of the two run packets: 1 ms, 2 ms
        clean.putShort((short) -8); // the large one: -2 ms (reordered)
        clean.put((byte) 40).put((byte) 0); // 10 ms, then 0
        TransportFeedback feedback = TransportFeedback.parse(message(Arrays.copyOf(clean.array(), clean.position())), 0,
                12 + (clean.position() + 3) / 4 * 4).orElseThrow();
        assertEquals(65_534, feedback.baseSequence());
        assertEquals(9, feedback.feedbackCount());
        long t0 = 128_000;
        assertArrayEquals(new long[]{t0 + 1_000, t0 + 3_000, TransportFeedback.LOST, t0 + 1_000, t0 + 11_000, t0 + 11_000},
                feedback.arrivalMicros());
    }

    @Test
    void oneBitVectorsAndLongRuns() {
        ByteBuffer fci = ByteBuffer.allocate(64);
        fci.putShort((short) 10).putShort((short) 20).put(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0}); // reference -1
        fci.putShort((short) (0x8000 | 0b10_1000_0000_0001)); // 14 one-bit symbols: 1,0,1,0,0,0,0,0,0,0,0,0,0,1
        fci.putShort((short) 0x0006); // run of 6 "not received"
        fci.put((byte) 1).put((byte) 1).put((byte) 1);
        TransportFeedback feedback = TransportFeedback.parse(message(Arrays.copyOf(fci.array(), fci.position())), 0,
                12 + (fci.position() + 3) / 4 * 4).orElseThrow();
        assertEquals(20, feedback.count());
        assertEquals(-64_000 + 250, feedback.arrivalMicros()[0], "a negative reference time");
        assertEquals(TransportFeedback.LOST, feedback.arrivalMicros()[1]);
        assertEquals(-64_000 + 500, feedback.arrivalMicros()[2]);
        assertEquals(-64_000 + 750, feedback.arrivalMicros()[13]);
        assertEquals(TransportFeedback.LOST, feedback.arrivalMicros()[19]);
    }

    @Test
    void malformedFeedbackReadsAsNothing() {
        ByteBuffer fci = ByteBuffer.allocate(16);
        // Three "small delta" packets, two deltas: exactly a word's worth, so no padding stands in for the third.
        fci.putShort((short) 0).putShort((short) 3).putInt(0).putShort((short) 0x2003).put((byte) 1).put((byte) 1);
        byte[] missingADelta = message(Arrays.copyOf(fci.array(), fci.position()));
        assertEquals(24, missingADelta.length);
        assertEquals(Optional.empty(), TransportFeedback.parse(missingADelta, 0, missingADelta.length));
        ByteBuffer many = ByteBuffer.allocate(12);
        many.putShort((short) 0).putShort((short) 60_000).putInt(0).putShort((short) 0x1FFF);
        byte[] tooMany = message(many.array());
        assertEquals(Optional.empty(), TransportFeedback.parse(tooMany, 0, tooMany.length), "over " + TransportFeedback.MAX_STATUSES);
        ByteBuffer reserved = ByteBuffer.allocate(12);
        reserved.putShort((short) 0).putShort((short) 1).putInt(0).putShort((short) 0x6001);
        byte[] withReserved = message(reserved.array());
        assertEquals(Optional.empty(), TransportFeedback.parse(withReserved, 0, withReserved.length));
        assertEquals(Optional.empty(), TransportFeedback.parse(new byte[12], 0, 12), "too short");
        assertEquals(Optional.empty(), TransportFeedback.parse(withReserved, 0, withReserved.length + 4), "longer than the datagram");
    }
}
