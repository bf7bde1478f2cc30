package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The matrix of NAT pairs, measured in the network lab (lab/lab.sh): for each kind of home as the host and as the
 * client, a fresh lab with one edge, then per trial a host player in a new home (opened first: the edge serves it
 * and makes it a Host Peer) and a client player in another new home, one headless Chromium each (default
 * settings) on the player page, both closed before the next trial. The edge learns nothing across trials (its
 * pair learning is set out of reach): each trial is a first encounter of the pair.
 * For the client it records whether a relay from the host was tried, whether it connected, who serves the client
 * 3 s after its first frame, and its time to first frame from the navigation's start (a relay that failed is
 * inside that time: its fallback). Each pairing mode of the edge (p2p.pairing: reachable, the default, which
 * tries only pairs predicted to connect; any, which tries every pair as OvenMediaEngine does) runs TRIALS times
 * per pair. Prints every trial, then per mode and pair: relays tried, connected, and the client's first frame
 * (median and range).
 * Environment: KINDS (default "cone symmetric public udpblocked"), MODES ("reachable any"), TRIALS (3, at most 19).
 */
public final class NatPairBench {

    private record Trial(boolean tried, boolean connected, boolean byPeer, long firstFrameMillis) {
    }

    public static void main(String[] args) throws Exception {
        List<Lab.Home> kinds = Arrays.stream(System.getenv().getOrDefault("KINDS", "cone symmetric public udpblocked").trim()
                .split("\\s+")).map(k -> Lab.Home.valueOf(k.toUpperCase(Locale.ROOT))).toList();
        List<String> modes = List.of(System.getenv().getOrDefault("MODES", "reachable any").trim().split("\\s+"));
        int trials = Integer.parseInt(System.getenv().getOrDefault("TRIALS", "3"));
        System.out.printf("NAT pairs: %d kinds of home, modes %s, %d trials each; a fresh lab and edge (default "
                + "configuration but p2p.pairing) per pair, new homes per trial; the host's browser opened first, then the client's%n",
                kinds.size(), modes, trials);
        Vertx vertx = Vertx.vertx();
        Map<String, List<Trial>> results = new LinkedHashMap<>();
        try {
            for (String mode : modes) {
                for (Lab.Home host : kinds) {
                    for (Lab.Home client : kinds) {
                        String key = String.format(Locale.ROOT, "%-9s %-10s > %-10s", mode, name(host), name(client));
                        try (Lab lab = Lab.start()) {
                            Lab.Edge edge = lab.edge("e1", 10, Map.of("p2p.pairing", mode,
                                    "p2p.pairLearning.window", "1000", "p2p.pairLearning.minRelays", "1000"));
                            for (int t = 1; t <= trials; t++) {
                                Trial trial = trial(vertx, edge, lab.home(2 * t - 1, host).get(0), lab.home(2 * t, client).get(0));
                                results.computeIfAbsent(key, k -> new ArrayList<>()).add(trial);
                                System.out.printf(Locale.ROOT, "trial %s #%d: relay %s, served by %s, first frame %s%n", key, t,
                                        !trial.tried ? "not tried" : trial.connected ? "connected" : "failed",
                                        trial.byPeer ? "the host" : "the edge",
                                        trial.firstFrameMillis < 0 ? "none within 20 s" : trial.firstFrameMillis + " ms");
                            }
                        }
                    }
                }
            }
            System.out.println();
            System.out.println("mode      host       > client      tried  connected  by peer  client first frame, ms: median (min..max)");
            results.forEach((key, list) -> {
                List<Double> frames = list.stream().filter(t -> t.firstFrameMillis >= 0).map(t -> (double) t.firstFrameMillis).toList();
                System.out.printf(Locale.ROOT, "%s  %d/%d    %d/%d        %d/%d      %s%n", key,
                        list.stream().filter(Trial::tried).count(), list.size(),
                        list.stream().filter(Trial::connected).count(), list.stream().filter(Trial::tried).count(),
                        list.stream().filter(Trial::byPeer).count(), list.size(),
                        frames.isEmpty() ? "none" : String.format(Locale.ROOT, "%.0f (%.0f..%.0f)%s", median(frames),
                                frames.stream().mapToDouble(d -> d).min().orElse(0), frames.stream().mapToDouble(d -> d).max().orElse(0),
                                frames.size() < list.size() ? "; " + (list.size() - frames.size()) + " without a frame" : ""));
            });
        } finally {
            vertx.close();
        }
    }

    private static Trial trial(Vertx vertx, Lab.Edge edge, String hostHome, String clientHome) throws Exception {
        Chromium host = Chromium.launch(vertx, hostHome, List.of());
        Chromium client = null;
        try {
            Chromium.Page hostPage = host.open(edge.playerUrl("app/stream"));
            if (Lab.firstFrameMillis(hostPage, "window.p2pEdgePlayer ? window.p2pEdgePlayer.decodedNow() : 0", 20_000) < 0) {
                throw new IllegalStateException("the host player (" + hostHome + ") decoded nothing within 20 s");
            }
            Thread.sleep(1_000); // its edge leg up: a Host Peer under the measured policy
            client = Chromium.launch(vertx, clientHome, List.of());
            Chromium.Page page = client.open(edge.playerUrl("app/stream"));
            long first = Lab.firstFrameMillis(page, "window.p2pEdgePlayer ? window.p2pEdgePlayer.decodedNow() : 0", 20_000);
            Thread.sleep(3_000);
            JsonArray tried = new JsonArray(String.valueOf(page.eval("JSON.stringify(window.p2pEdgePlayer.relaysTried)")));
            boolean connected = tried.stream().anyMatch(r -> "connected".equals(((JsonObject) r).getString("outcome")));
            long peer = ((Number) page.eval("window.p2pEdgePlayer.peerId")).longValue();
            return new Trial(!tried.isEmpty(), connected, peer != 0, first);
        } finally {
            host.close();
            if (client != null) {
                client.close();
            }
            Thread.sleep(1_000); // both sockets closed on the edge before the next pair
        }
    }

    private static String name(Lab.Home kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
