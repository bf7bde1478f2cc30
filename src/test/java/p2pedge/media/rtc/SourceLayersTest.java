package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SourceLayersTest {

    private static final long MS = 1_000_000;

    @Test
    void layersAreRankedByTheirKeyframesPictureSizeOnceEachIsKnown() {
        AtomicLong now = new AtomicLong();
        SourceLayers layers = new SourceLayers(now::get);
        layers.expect(3);
        // The lowest layer sends the most bytes here: only the picture size ranks it right.
        assertEquals(SourceLayers.Arrival.KNOWN, layers.onPacket(3, 100, 0));
        assertEquals(SourceLayers.Arrival.NEW_LAYER, layers.onPacket(1, 5_000, 160 * 90));
        assertEquals(List.of(3, 1), layers.sending(), "first seen, while a layer's size is unknown and nothing is a second old");
        layers.onPacket(2, 300, 0);
        now.addAndGet(1_000 * MS);
        layers.onPacket(3, 100, 0);
        layers.onPacket(1, 100, 0);
        layers.onPacket(2, 100, 0);
        assertEquals(List.of(3, 2, 1), layers.sending(), "by rate when a size is unknown: 200, 400, 5,100 bytes");
        layers.onPacket(2, 100, 320 * 180);
        assertEquals(List.of(3, 2, 1), layers.sending(), "one size still unknown");
        layers.onPacket(3, 100, 640 * 360);
        assertEquals(List.of(1, 2, 3), layers.sending(), "by picture size");
        assertEquals(SourceLayers.Arrival.REFUSED, layers.onPacket(4, 100, 0), "a fourth while three send");
    }

    @Test
    void aLayerThatFallsSilentLeavesTheRankingAndItsSlotGoesToANewSource() {
        AtomicLong now = new AtomicLong();
        SourceLayers layers = new SourceLayers(now::get);
        layers.expect(2);
        layers.onPacket(1, 100, 160 * 90);
        layers.onPacket(2, 100, 320 * 180);
        now.addAndGet(600 * MS);
        layers.onPacket(1, 100, 0);
        now.addAndGet(600 * MS);
        layers.onPacket(1, 100, 0);
        assertEquals(List.of(1), layers.sending(), "the top layer paused for over a second");
        assertEquals(SourceLayers.Arrival.NEW_SOURCE, layers.onPacket(7, 100, 0), "every slot taken, one silent: a publisher that came back");
        assertEquals(List.of(7), layers.sending());
    }

    @Test
    void aOneLayerSourceOnAnotherSsrcIsANewSource() {
        AtomicLong now = new AtomicLong();
        SourceLayers layers = new SourceLayers(now::get);
        assertEquals(SourceLayers.Arrival.KNOWN, layers.onPacket(1, 100));
        assertEquals(SourceLayers.Arrival.KNOWN, layers.onPacket(1, 100));
        assertEquals(SourceLayers.Arrival.NEW_SOURCE, layers.onPacket(2, 100));
        assertEquals(List.of(2), layers.sending());
    }

    @Test
    void vp8KeyframesSayTheirPictureSize() {
        byte[] keyframe = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, /* descriptor: S */ 0x10,
                /* frame tag, P=0 */ 0x10, 0x02, 0x00, /* start code */ (byte) 0x9D, 0x01, 0x2A,
                /* 640 wide, scale bits set */ (byte) 0x80, (byte) 0x42, /* 360 high */ 0x68, 0x01};
        assertEquals(640 * 360, Vp8.keyframePixels(keyframe));
        byte[] interframe = keyframe.clone();
        interframe[13] = 0x11;
        assertEquals(0, Vp8.keyframePixels(interframe));
        assertEquals(0, Vp8.keyframePixels(java.util.Arrays.copyOf(keyframe, 20)), "cut short");
        byte[] noStartCode = keyframe.clone();
        noStartCode[16] = 0;
        assertEquals(0, Vp8.keyframePixels(noStartCode));
    }
}
