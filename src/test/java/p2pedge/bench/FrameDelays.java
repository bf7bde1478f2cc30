package p2pedge.bench;

import p2pedge.testing.LoadViewer;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How late load viewers' video frames came, window by window over one edge's run: each frame's first packet's arrival
 * less its capture time by the source's sender reports ({@link LoadViewer#takeFrameDelays}), all viewers' frames
 * together, as the delay added over the fastest frames of the run so far (the 1st percentile of the least loaded
 * window): what queues in the edge (or the load client) shows as that delay growing from step to step.
 */
final class FrameDelays {

    /** One window's frames: how many, and their added delay (median, 99th percentile, worst), milliseconds; -1: none. */
    record Window(int frames, double p50, double p99, double max) {
        static final Window NONE = new Window(0, -1, -1, -1);
    }

    /** The fastest frames seen so far (microseconds, up to the reports' constant). */
    private double floor = Double.MAX_VALUE;

    /** Forgets what the viewers timed so far (the frames of a step's joins and warm-up). */
    void skip(List<LoadViewer> viewers) throws Exception {
        take(viewers);
    }

    /** The frames the viewers timed since the last call. */
    Window window(List<LoadViewer> viewers) throws Exception {
        long[] delays = take(viewers);
        if (delays.length == 0) {
            return Window.NONE;
        }
        Arrays.sort(delays);
        floor = Math.min(floor, at(delays, 0.01));
        return new Window(delays.length, (at(delays, 0.50) - floor) / 1000, (at(delays, 0.99) - floor) / 1000,
                (delays[delays.length - 1] - floor) / 1000);
    }

    private static long[] take(List<LoadViewer> viewers) throws Exception {
        long[] all = new long[0];
        for (LoadViewer viewer : viewers) {
            long[] mine = viewer.takeFrameDelays().await(10, TimeUnit.SECONDS);
            int at = all.length;
            all = Arrays.copyOf(all, at + mine.length);
            System.arraycopy(mine, 0, all, at, mine.length);
        }
        return all;
    }

    /** The nearest-rank quantile of {@code sorted} (not empty). */
    private static double at(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length); // 1-based
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
