package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Lab;
import p2pedge.testing.LabPlayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * P2P Delivery where viewers are: four homes on the lab's internet (two behind cone NATs, one behind a symmetric
 * NAT, one public), one headless Chromium each with default settings (mDNS on, no loopback flags), the edge's own
 * player page, an edge with its default configuration plus the address players reach it by. Each player must decode
 * within 5 s of opening; the second cone home plays from the first (a relay across two NATs, through the
 * edge's STUN); the symmetric one is served by the edge at once (its probe shows a new port per destination, so
 * no relay that cannot connect is tried); the public one plays from a peer; and all keep playing.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabNatTest {

    private static final long FIRST_FRAME_BOUND_MS = 5_000;
    private static final long SETTLE_MS = 2_000;
    /** A short consent timeout (default 30 s), so that media left on a path the browser gave up ends within the test. */
    private static final int CONSENT_SECONDS = 8;

    private static LabPlayer open(Vertx vertx, Lab.Edge edge, String name, String namespace, List<LabPlayer> opened) throws Exception {
        return LabPlayer.open(vertx, edge, name, namespace, opened, 3 * FIRST_FRAME_BOUND_MS);
    }

    @Test
    void everyPlayerDecodesSoonAndPlayersBehindConeNatsPlayFromPeers(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of());
            String cone1 = lab.home(1, Lab.Home.CONE).get(0);
            String cone2 = lab.home(2, Lab.Home.CONE).get(0);
            String symmetric = lab.home(3, Lab.Home.SYMMETRIC).get(0);
            String open = lab.home(4, Lab.Home.PUBLIC).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                // Viewers arrive a little apart, as they do: each next page opens once the last one's relay, if any,
                // has settled (on 2 cores, a host's browser starting its first relay encoder while it builds the
                // next offer once took 3.7 s to offer). The first frame is timed from each page's own navigation.
                LabPlayer first = open(vertx, edge, "cone home 1", cone1, players);
                Thread.sleep(SETTLE_MS);
                LabPlayer second = open(vertx, edge, "cone home 2", cone2, players);
                Thread.sleep(SETTLE_MS);
                LabPlayer third = open(vertx, edge, "symmetric home", symmetric, players);
                Thread.sleep(SETTLE_MS);
                LabPlayer fourth = open(vertx, edge, "public home", open, players);
                for (LabPlayer p : players) {
                    System.out.printf("lab: %-15s first frame after %5d ms, %s, served by %s%n", p.name(), p.firstFrameMillis(),
                            p.state("role"), p.peer() == 0 ? "the edge" : "peer " + p.peer());
                }
                for (LabPlayer p : players) {
                    assertTrue(p.firstFrameMillis() <= FIRST_FRAME_BOUND_MS, p.name() + " decodes within 5 s: "
                            + p.firstFrameMillis() + " ms\n" + p.log());
                }
                assertEquals(0, first.peer(), "the first player is served by the edge");
                assertTrue(first.log().contains("relaying to peer " + second.state("id") + " (on the spare connection)"),
                        "the host offered on the relay connection it had made ahead:\n" + first.log());
                assertNotEquals(0, second.peer(), "a player behind a cone NAT plays from a peer behind another:\n" + second.log());
                assertEquals(0, third.peer(), "the symmetric-NAT player is served by the edge:\n" + third.log());
                assertTrue(third.firstFrameMillis() <= first.firstFrameMillis() + 2_000,
                        "the symmetric-NAT player waits at most 2 s longer than an edge-only player: "
                                + third.firstFrameMillis() + " ms against " + first.firstFrameMillis() + " ms");
                assertNotEquals(0, fourth.peer(), "the public player plays from a peer:\n" + fourth.log());
                long byPeers = players.stream().filter(p -> {
                    try {
                        return p.peer() != 0;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).count();
                assertTrue(byPeers * 2 >= players.size(), "at least half are served by peers: " + byPeers);
                LabPlayer.assertAllKeepPlaying(players, 3_000, 15);
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }

    /**
     * A player whose browser moves its edge leg after the handshake (libwebrtc selects ICE-TCP when UDP has not
     * answered yet, and UDP once it does; under load, UDP's first answer can come late): the edge follows it to the
     * new path, so the player keeps playing past the consent timeout, where media left on the old path would end.
     */
    @Test
    void aPlayerThatMovesFromTcpToUdpKeepsPlaying(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of("media.forwarder.consentTimeoutSeconds", Integer.toString(CONSENT_SECONDS)));
            String home = lab.home(1, Lab.Home.UDPBLOCKED).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                LabPlayer player = open(vertx, edge, "UDP-blocked home", home, players);
                assertEquals("tcp", player.page().eval("window.p2pEdgePlayer.edgeTransport()"), "it starts on ICE-TCP");
                lab.allowUdp(1);
                long deadline = System.currentTimeMillis() + 15_000;
                while (!"udp".equals(player.page().eval("window.p2pEdgePlayer.edgeTransport()")) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals("udp", player.page().eval("window.p2pEdgePlayer.edgeTransport()"), "the browser moved to UDP:\n" + player.log());
                long before = player.decodedNow();
                Thread.sleep((CONSENT_SECONDS + 4) * 1_000L);
                long after = player.decodedNow();
                System.out.printf("lab: after the move to UDP, %d frames in %d s%n", after - before, CONSENT_SECONDS + 4);
                assertTrue(after - before >= 10L * (CONSENT_SECONDS + 4), "it keeps playing past the consent timeout: "
                        + before + " -> " + after + "\n" + player.log());
                assertNotEquals("error", player.state("state"), player.log());
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }

    /**
     * A home whose router drops all UDP: the player's edge leg can only be ICE-TCP (the edge's passive candidate on
     * its media port number), and it still decodes within the bound, from the edge. A second player in an ordinary
     * home shows the same edge keeps UDP for everyone else.
     */
    @Test
    void aPlayerInAHomeThatDropsUdpPlaysFromTheEdgeOverTcp(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of());
            String blocked = lab.home(1, Lab.Home.UDPBLOCKED).get(0);
            String cone = lab.home(2, Lab.Home.CONE).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                LabPlayer noUdp = open(vertx, edge, "UDP-blocked home", blocked, players);
                LabPlayer udp = open(vertx, edge, "cone home", cone, players);
                for (LabPlayer p : players) {
                    System.out.printf("lab: %-16s first frame after %5d ms, over %s%n", p.name(), p.firstFrameMillis(),
                            p.page().eval("window.p2pEdgePlayer.edgeTransport()"));
                }
                assertTrue(noUdp.firstFrameMillis() <= FIRST_FRAME_BOUND_MS, "the UDP-blocked player decodes within 5 s: "
                        + noUdp.firstFrameMillis() + " ms\n" + noUdp.log());
                assertEquals(0, noUdp.peer(), "the UDP-blocked player is served by the edge");
                assertEquals("tcp", noUdp.page().eval("window.p2pEdgePlayer.edgeTransport()"), "its edge leg is ICE-TCP");
                assertEquals("udp", udp.page().eval("window.p2pEdgePlayer.edgeTransport()"), "a player with UDP keeps UDP");
                long before = noUdp.decodedNow();
                Thread.sleep(3_000);
                long after = noUdp.decodedNow();
                assertTrue(after - before >= 30, "the UDP-blocked player keeps playing: " + before + " -> " + after);
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }
}
