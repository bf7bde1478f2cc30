package p2pedge.bench;

import p2pedge.testing.LoadViewer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a group of load viewers received over one measured window: slowest and mean bitrate, worst loss. */
record LoadWindow(int viewers, double kbpsMin, double kbpsAvg, double lossMax) {

    static List<LoadViewer.Counts> snapshot(List<LoadViewer> viewers) throws Exception {
        List<LoadViewer.Counts> out = new ArrayList<>();
        for (LoadViewer viewer : viewers) {
            out.add(viewer.counts().await(10, TimeUnit.SECONDS));
        }
        return out;
    }

    static LoadWindow between(List<LoadViewer.Counts> before, List<LoadViewer.Counts> after, double seconds) {
        if (after.isEmpty()) {
            return new LoadWindow(0, 0, 0, 0);
        }
        double kbpsMin = Double.MAX_VALUE;
        double kbpsSum = 0;
        double lossMax = 0;
        for (int i = 0; i < after.size(); i++) {
            LoadViewer.Counts window = after.get(i).minus(before.get(i));
            double kbps = window.bytes() * 8 / seconds / 1000;
            kbpsMin = Math.min(kbpsMin, kbps);
            kbpsSum += kbps;
            lossMax = Math.max(lossMax, window.lossRatio());
        }
        return new LoadWindow(after.size(), kbpsMin, kbpsSum / after.size(), lossMax);
    }
}
