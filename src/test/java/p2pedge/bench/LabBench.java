package p2pedge.bench;

import io.vertx.core.Vertx;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * P2P Delivery across a mix of homes in the network lab (see lab/lab.sh): one edge with its default configuration
 * in its own namespace, one headless Chromium per home (default settings) on the edge's player page, opened one
 * after the other; prints for each player its home's NAT, its time to first frame (the page's clock, from the
 * navigation's start) and who serves it, then the offload (players served by peers / all players) and the time
 * to first frame per kind of home. Runs RUNS times (default 3) with a fresh lab each.
 * Environment: HOMES (default "cone cone symmetric public cone symmetric cone public"), RUNS (3).
 */
public final class LabBench {

    public static void main(String[] args) throws Exception {
        List<Lab.Home> homes = Arrays.stream(System.getenv().getOrDefault("HOMES",
                        "cone cone symmetric public cone symmetric cone public").trim().split("\\s+"))
                .map(h -> Lab.Home.valueOf(h.toUpperCase(Locale.ROOT))).toList();
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        System.out.printf("lab: one edge (default configuration, demo 640x360@30 VP8), %d homes opened one after the "
                + "other, one headless Chromium each on the player page; %d runs%n", homes.size(), runs);
        Vertx vertx = Vertx.vertx();
        List<Double> offloads = new ArrayList<>();
        Map<Lab.Home, List<Long>> firstFrames = new TreeMap<>();
        try {
            for (int run = 1; run <= runs; run++) {
                try (Lab lab = Lab.start()) {
                    Lab.Edge edge = lab.edge("e1", 10, Map.of());
                    List<Chromium> browsers = new ArrayList<>();
                    List<Chromium.Page> pages = new ArrayList<>();
                    List<Long> times = new ArrayList<>();
                    try {
                        for (int i = 0; i < homes.size(); i++) {
                            String namespace = lab.home(i + 1, homes.get(i)).get(0);
                            Chromium chromium = Chromium.launch(vertx, namespace, List.of());
                            browsers.add(chromium);
                            Chromium.Page page = chromium.open(edge.playerUrl("app/stream"));
                            pages.add(page);
                            times.add(Lab.firstFrameMillis(page, "window.p2pEdgePlayer ? window.p2pEdgePlayer.decodedNow() : 0",
                                    20_000));
                        }
                        Thread.sleep(3_000); // placements settle (a relay that failed falls back meanwhile)
                        int byPeers = 0;
                        System.out.printf("run %d%n  home  NAT        first frame  served by%n", run);
                        for (int i = 0; i < homes.size(); i++) {
                            long peer = ((Number) pages.get(i).eval("window.p2pEdgePlayer.peerId")).longValue();
                            byPeers += peer != 0 ? 1 : 0;
                            firstFrames.computeIfAbsent(homes.get(i), h -> new ArrayList<>()).add(times.get(i));
                            System.out.printf(Locale.ROOT, "  %4d  %-10s %8s ms  %s%n", i + 1, homes.get(i).name().toLowerCase(Locale.ROOT),
                                    times.get(i) < 0 ? "none" : Long.toString(times.get(i)), peer == 0 ? "the edge" : "a peer");
                        }
                        double offload = (double) byPeers / homes.size();
                        offloads.add(offload);
                        System.out.printf(Locale.ROOT, "  offload %.2f (%d of %d players served by peers)%n", offload, byPeers, homes.size());
                    } finally {
                        browsers.forEach(Chromium::close);
                    }
                }
            }
            Spread offload = Spread.of(offloads);
            System.out.printf(Locale.ROOT, "offload over %d runs: median %.2f (%.2f .. %.2f)%n", runs, offload.median(),
                    offload.min(), offload.max());
            firstFrames.forEach((home, list) -> {
                List<Double> ms = list.stream().filter(t -> t >= 0).map(Long::doubleValue).toList();
                Spread spread = Spread.of(ms);
                System.out.printf(Locale.ROOT, "first frame, %-10s %d players: median %.0f ms (%.0f .. %.0f); %d decoded nothing within 20 s%n",
                        home.name().toLowerCase(Locale.ROOT), list.size(), spread.median(), spread.min(), spread.max(),
                        list.size() - ms.size());
            });
        } finally {
            vertx.close();
        }
    }
}
