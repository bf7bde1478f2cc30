package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RetransmissionCacheTest {

    private static byte[] rtp(int sequence, int payloadBytes, int fill) {
        byte[] packet = new byte[12 + payloadBytes];
        Arrays.fill(packet, (byte) fill);
        packet[0] = (byte) 0x80;
        packet[2] = (byte) (sequence >> 8);
        packet[3] = (byte) sequence;
        return packet;
    }

    @Test
    void aPacketComesBackAsSentFromItsHeadAndTheSharedSource() {
        RetransmissionCache cache = new RetransmissionCache(4);
        byte[] source = rtp(9, 1_000, 0x55);
        byte[] sent = source.clone();
        sent[2] = 0x12; // the viewer's numbering
        sent[3] = 0x34;
        sent[12] = 0x7F; // its own start of payload (a VP8 descriptor)
        cache.put(sent, sent.length, source, 12);
        assertEquals(sent.length, cache.length(0x1234));
        assertArrayEquals(sent, cache.get(0x1234));
    }

    @Test
    void whatHasNoSourceOrAnotherShapeIsKeptWhole() {
        RetransmissionCache cache = new RetransmissionCache(4);
        byte[] padding = rtp(1, 255, 0);
        cache.put(padding, padding.length, null, -1);
        assertArrayEquals(padding, cache.get(1));
        byte[] longer = rtp(2, 300, 1);
        cache.put(longer, longer.length, rtp(7, 200, 1), 12); // not the source's payload length: not rebuilt from it
        assertArrayEquals(longer, cache.get(2));
    }

    /** The forwarder rewrites every viewer's packet into one array: the cache keeps copies, never that array. */
    @Test
    void aPacketPutFromAReusedArrayComesBackAsItWas() {
        RetransmissionCache cache = new RetransmissionCache(4);
        byte[] source = rtp(9, 1_000, 0x55);
        byte[] reused = new byte[1_500];
        byte[] sent = source.clone();
        sent[3] = 0x21;
        sent[12] = 0x7F;
        System.arraycopy(sent, 0, reused, 0, sent.length);
        cache.put(reused, sent.length, source, 12);
        byte[] padding = rtp(0x22, 255, 0);
        System.arraycopy(padding, 0, reused, 0, padding.length);
        cache.put(reused, padding.length, null, -1);
        Arrays.fill(reused, (byte) 0x66);
        assertArrayEquals(sent, cache.get(0x21));
        assertArrayEquals(padding, cache.get(0x22));
    }

    @Test
    void theRingForgetsWhatItOverwrote() {
        RetransmissionCache cache = new RetransmissionCache(4);
        for (int sequence = 0; sequence < 6; sequence++) {
            byte[] source = rtp(sequence, 100, sequence);
            cache.put(source.clone(), source.length, source, 12);
        }
        assertNull(cache.get(1));
        assertEquals(-1, cache.length(1));
        assertEquals(112, cache.length(5));
        assertNull(cache.get(9), "never sent");
    }
}
