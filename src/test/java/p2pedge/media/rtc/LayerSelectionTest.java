package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerSelectionTest {

    private static final long MS = 1_000_000;
    private static final long[] LAYERS = {67_000, 217_000, 600_000};
    private static final long AUDIO = 40_000;
    private static final LayerSelection.Path CLEAR = new LayerSelection.Path(700_000, 0, 2_000, 800_000);
    /** No queue (a shaper's burst let it through), but what was sent arrived at the shaper's rate. */
    private static final LayerSelection.Path SHAPED = new LayerSelection.Path(400_000, 0, 2_000, 420_000);
    private static final LayerSelection.Path QUEUEING = new LayerSelection.Path(380_000, 0, 80_000);

    @Test
    void aCongestedPathMovesTheViewerDownToWhatStillReachedItAndProbesUpLater() {
        AtomicLong now = new AtomicLong();
        LayerSelection selection = new LayerSelection(LayerSelection.Rules.DEFAULT, now::get);
        assertEquals(new LayerSelection.Decision(2, 0), selection.decide(CLEAR, LAYERS, AUDIO, false), "the top to start");
        assertEquals(2, selection.decide(QUEUEING, LAYERS, AUDIO, false).layer(), "not on the first sign");
        now.addAndGet(500 * MS);
        // 380 kbit/s reached it: the middle layer needs 217 x 1.1 + 40 = 279, under 85 % of 380.
        assertEquals(new LayerSelection.Decision(1, 0), selection.decide(QUEUEING, LAYERS, AUDIO, false));
        now.addAndGet(2_900 * MS);
        assertEquals(new LayerSelection.Decision(1, 0), selection.decide(CLEAR, LAYERS, AUDIO, false), "no probe before 3 s");
        now.addAndGet(100 * MS);
        LayerSelection.Decision probe = selection.decide(CLEAR, LAYERS, AUDIO, false);
        assertEquals(1, probe.layer());
        assertEquals(600_000 * 110 / 100 - 217_000 * 110 / 100, probe.paddingBps(), "padding up to what the top layer needs");
        now.addAndGet(300 * MS);
        assertEquals(new LayerSelection.Decision(1, 0), selection.decide(QUEUEING, LAYERS, AUDIO, false), "the probe congests: it ends");
        now.addAndGet(600 * MS);
        assertEquals(new LayerSelection.Decision(1, 0), selection.decide(QUEUEING, LAYERS, AUDIO, false),
                "the probe's queue drains: not held against the layer");
        now.addAndGet(5_300 * MS);
        assertEquals(0, selection.decide(CLEAR, LAYERS, AUDIO, false).paddingBps(), "the next one waits twice as long");
        now.addAndGet(100 * MS);
        assertTrue(selection.decide(SHAPED, LAYERS, AUDIO, false).paddingBps() > 0);
        now.addAndGet(1_000 * MS);
        assertEquals(new LayerSelection.Decision(1, 0), selection.decide(SHAPED, LAYERS, AUDIO, false),
                "no queue, but it arrived at 420 kbit/s where the top layer needs 700: not up");
        now.addAndGet(6_000 * MS);
        assertTrue(selection.decide(CLEAR, LAYERS, AUDIO, false).paddingBps() > 0, "the next probe, 6 s on (the longest wait)");
        now.addAndGet(1_000 * MS);
        assertEquals(new LayerSelection.Decision(2, 0), selection.decide(CLEAR, LAYERS, AUDIO, false), "a clean probe: up a layer");
        now.addAndGet(60_000 * MS);
        assertEquals(new LayerSelection.Decision(2, 0), selection.decide(CLEAR, LAYERS, AUDIO, false), "no probing from the top");
    }

    @Test
    void aHeavilyCongestedPathGoesStraightToTheLowestLayerAndLossCountsAsCongestion() {
        AtomicLong now = new AtomicLong();
        LayerSelection selection = new LayerSelection(LayerSelection.Rules.DEFAULT, now::get);
        LayerSelection.Path lossy = new LayerSelection.Path(200_000, 0.2, 0);
        selection.decide(lossy, LAYERS, AUDIO, false);
        now.addAndGet(600 * MS);
        assertEquals(0, selection.decide(lossy, LAYERS, AUDIO, false).layer(), "200 kbit/s carries only the lowest");
    }

    @Test
    void aPinnedViewerAndAOneLayerSourceGetTheTopWithoutProbes() {
        AtomicLong now = new AtomicLong();
        LayerSelection selection = new LayerSelection(LayerSelection.Rules.DEFAULT, now::get);
        for (int i = 0; i < 100; i++, now.addAndGet(100 * MS)) {
            assertEquals(new LayerSelection.Decision(2, 0), selection.decide(QUEUEING, LAYERS, AUDIO, true));
            assertEquals(new LayerSelection.Decision(0, 0), selection.decide(QUEUEING, new long[]{600_000}, AUDIO, false));
        }
    }
}
