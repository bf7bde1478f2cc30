package p2pedge.bench;

import io.vertx.core.Vertx;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;
import p2pedge.testing.OvenPlayerPages;

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
 * With PLAYER=ovenplayer the players are unmodified OvenPlayer 0.10.38 (the last release that relays) instead of
 * the project's page: it never says whether a relay works, so "connected" is a client placed on its host that
 * decodes (it has no other source), and one that decodes nothing within 20 s shows OvenMediaEngine's black screen.
 * SAME_HOME (default "cone") adds a pair of two devices in one home of that kind ("" for none).
 * Environment: KINDS (default "cone symmetric public udpblocked"), MODES ("reachable any"), TRIALS (3, at most 19),
 * PLAYER (page), SAME_HOME (cone).
 */
public final class NatPairBench {

    private record Trial(boolean tried, boolean connected, boolean byPeer, long firstFrameMillis) {
    }

    /** A host home kind, a client home kind, and whether both are devices of one home (of the host's kind). */
    private record Pair(Lab.Home host, Lab.Home client, boolean sameHome) {
        String label() {
            return sameHome ? "same home (" + name(host) + ")" : name(host) + " > " + name(client);
        }
    }

    /** How a kind of player is opened and read. */
    private interface Player {
        String url(Lab.Edge edge);

        String frames();

        /** A relay from a host was offered to it. */
        String tried();

        /** Its relay connected (for a player that does not say: it decodes, having no other source). */
        String connected();

        /** It is served by a peer now. */
        String byPeer();
    }

    private static final Player PAGE = new Player() {
        public String url(Lab.Edge edge) {
            return edge.playerUrl("app/stream");
        }

        public String frames() {
            return "window.p2pEdgePlayer ? window.p2pEdgePlayer.decodedNow() : 0";
        }

        public String tried() {
            return "window.p2pEdgePlayer.relaysTried.length > 0";
        }

        public String connected() {
            return "window.p2pEdgePlayer.relaysTried.some(r => r.outcome === 'connected')";
        }

        public String byPeer() {
            return "window.p2pEdgePlayer.peerId !== 0";
        }
    };

    private static Player ovenPlayer(OvenPlayerPages pages) {
        return new Player() {
            public String url(Lab.Edge edge) {
                return pages.url(OvenPlayerPages.LAST_RELAYING, edge.wsUrl("app/stream"));
            }

            public String frames() {
                return "typeof window.frames === 'function' ? window.frames() : 0";
            }

            public String tried() {
                return "window.op.signalling.some(e => e.startsWith('<offer:'))";
            }

            public String connected() {
                return tried() + " && window.frames() > 0";
            }

            public String byPeer() {
                return "window.op.signalling.filter(e => e.startsWith('<offer')).slice(-1).some(e => e.startsWith('<offer:'))"
                        + " && window.frames() > 0";
            }
        };
    }

    public static void main(String[] args) throws Exception {
        List<Lab.Home> kinds = Arrays.stream(System.getenv().getOrDefault("KINDS", "cone symmetric public udpblocked").trim()
                .split("\\s+")).map(k -> Lab.Home.valueOf(k.toUpperCase(Locale.ROOT))).toList();
        List<String> modes = List.of(System.getenv().getOrDefault("MODES", "reachable any").trim().split("\\s+"));
        int trials = Integer.parseInt(System.getenv().getOrDefault("TRIALS", "3"));
        boolean ovenPlayer = System.getenv().getOrDefault("PLAYER", "page").equals("ovenplayer");
        String sameHome = System.getenv().getOrDefault("SAME_HOME", "cone").trim();
        List<Pair> pairs = new ArrayList<>();
        if (!sameHome.isEmpty()) {
            Lab.Home kind = Lab.Home.valueOf(sameHome.toUpperCase(Locale.ROOT));
            pairs.add(new Pair(kind, kind, true));
        }
        kinds.forEach(h -> kinds.forEach(c -> pairs.add(new Pair(h, c, false))));
        System.out.printf("NAT pairs (%s): %d pairs of homes, modes %s, %d trials each; a fresh lab and edge (default "
                + "configuration but p2p.pairing) per pair, new homes per trial; the host's browser opened first, then the client's%n",
                ovenPlayer ? "OvenPlayer " + OvenPlayerPages.LAST_RELAYING : "the player page", pairs.size(), modes, trials);
        Vertx vertx = Vertx.vertx();
        Map<String, List<Trial>> results = new LinkedHashMap<>();
        try {
            for (String mode : modes) {
                for (Pair pair : pairs) {
                    String key = String.format(Locale.ROOT, "%-9s %-25s", mode, pair.label());
                    try (Lab lab = Lab.start();
                         // OvenPlayer's pages come from this process, at its address on the lab's internet.
                         OvenPlayerPages pages = ovenPlayer ? OvenPlayerPages.start(vertx, Lab.TEST_ADDRESS) : null) {
                        Player player = ovenPlayer ? ovenPlayer(pages) : PAGE;
                        // A silent client's give-up (OvenPlayer) and failed relays teach the edge nothing here.
                        Lab.Edge edge = lab.edge("e1", 10, Map.of("p2p.pairing", mode,
                                "p2p.pairLearning.window", "1000", "p2p.pairLearning.minRelays", "1000",
                                "p2p.silentGiveUpSeconds", "0"));
                        for (int t = 1; t <= trials; t++) {
                            List<String> hostHome = lab.home(2 * t - 1, pair.host, pair.sameHome ? 2 : 1, 0, 0);
                            String clientDevice = pair.sameHome ? hostHome.get(1) : lab.home(2 * t, pair.client).get(0);
                            Trial trial = trial(vertx, player, edge, hostHome.get(0), clientDevice);
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(trial);
                            System.out.printf(Locale.ROOT, "trial %s #%d: relay %s, served by %s, first frame %s%n", key, t,
                                    !trial.tried ? "not tried" : trial.connected ? "connected" : "failed",
                                    trial.byPeer ? "the host" : trial.firstFrameMillis < 0 ? "nobody" : "the edge",
                                    trial.firstFrameMillis < 0 ? "none within 20 s" : trial.firstFrameMillis + " ms");
                        }
                    }
                }
            }
            System.out.println();
            System.out.println("mode      host > client              tried  connected  by peer  client first frame, ms: median (min..max)");
            results.forEach((key, list) -> {
                List<Double> frames = list.stream().filter(t -> t.firstFrameMillis >= 0).map(t -> (double) t.firstFrameMillis).toList();
                Spread spread = Spread.of(frames);
                System.out.printf(Locale.ROOT, "%s  %d/%d    %d/%d        %d/%d      %s%n", key,
                        list.stream().filter(Trial::tried).count(), list.size(),
                        list.stream().filter(Trial::connected).count(), list.stream().filter(Trial::tried).count(),
                        list.stream().filter(Trial::byPeer).count(), list.size(),
                        frames.isEmpty() ? "none" : String.format(Locale.ROOT, "%.0f (%.0f..%.0f)%s", spread.median(),
                                spread.min(), spread.max(),
                                frames.size() < list.size() ? "; " + (list.size() - frames.size()) + " without a frame" : ""));
            });
        } finally {
            vertx.close();
        }
    }

    private static Trial trial(Vertx vertx, Player player, Lab.Edge edge, String hostDevice, String clientDevice) throws Exception {
        Chromium host = Chromium.launch(vertx, hostDevice, List.of());
        Chromium client = null;
        try {
            Chromium.Page hostPage = host.open(player.url(edge));
            if (Lab.firstFrameMillis(hostPage, player.frames(), 20_000) < 0) {
                throw new IllegalStateException("the host player (" + hostDevice + ") decoded nothing within 20 s");
            }
            Thread.sleep(1_000); // its edge leg up: a Host Peer under the measured policy
            client = Chromium.launch(vertx, clientDevice, List.of());
            Chromium.Page page = client.open(player.url(edge));
            long first = Lab.firstFrameMillis(page, player.frames(), 20_000);
            Thread.sleep(3_000);
            return new Trial(Boolean.TRUE.equals(page.eval(player.tried())), Boolean.TRUE.equals(page.eval(player.connected())),
                    Boolean.TRUE.equals(page.eval(player.byPeer())), first);
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
}
