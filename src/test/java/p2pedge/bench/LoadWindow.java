package p2pedge.bench;

import io.vertx.core.Future;
import p2pedge.testing.LoadViewer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a group of load viewers received over one measured window: slowest and mean bitrate, worst loss. Each viewer's
 * bitrate is over its own window, from its snapshot before to its snapshot after: on a busy load client the snapshots of
 * a thousand viewers take seconds, and their time is not the bench's measured window.
 */
record LoadWindow(int viewers, double kbpsMin, double kbpsAvg, double lossMax) {

    /** Every viewer's counts, asked of all at once. */
    static List<LoadViewer.Counts> snapshot(List<LoadViewer> viewers) throws Exception {
        List<Future<LoadViewer.Counts>> asked = new ArrayList<>();
        for (LoadViewer viewer : viewers) {
            asked.add(viewer.counts());
        }
        List<LoadViewer.Counts> out = new ArrayList<>();
        for (Future<LoadViewer.Counts> counts : asked) {
            out.add(counts.await(30, TimeUnit.SECONDS));
        }
        return out;
    }

    static LoadWindow between(List<LoadViewer.Counts> before, List<LoadViewer.Counts> after) {
        if (after.isEmpty()) {
            return new LoadWindow(0, 0, 0, 0);
        }
        double kbpsMin = Double.MAX_VALUE;
        double kbpsSum = 0;
        double lossMax = 0;
        for (int i = 0; i < after.size(); i++) {
            LoadViewer.Counts window = after.get(i).minus(before.get(i));
            double kbps = window.kbps();
            kbpsMin = Math.min(kbpsMin, kbps);
            kbpsSum += kbps;
            lossMax = Math.max(lossMax, window.lossRatio());
        }
        return new LoadWindow(after.size(), kbpsMin, kbpsSum / after.size(), lossMax);
    }
}
