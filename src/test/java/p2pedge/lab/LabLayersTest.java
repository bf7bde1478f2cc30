package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-viewer layers on real links (issue 16): two homes watch the demo's three layers with transport-wide feedback;
 * one home's download is capped at 400 kbit/s (tbf), which cannot carry the top layer (600 kbit/s and its audio).
 * That viewer is moved down to a layer its line carries and keeps playing; the other keeps the top layer; once the
 * cap is lifted, a probe finds the room and the top layer comes back. P2P is off: both play from the edge.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabLayersTest {

    private static final int CAP_KBIT = 400;

    private static final String TOKEN = "lab-layers-admin";

    private static JsonObject video(LabPlayer player) throws Exception {
        return new JsonObject(player.page().eval("window.p2pEdgePlayer.videoNow().then(JSON.stringify)").toString());
    }

    /**
     * Waits until the player's picture is {@code predicate}-wide; returns how long that took (ms), -1 if never. With an
     * {@code edge}, prints its edge legs once a second meanwhile: how the estimate and the pace went when it was slow.
     */
    private static long widthWithin(LabPlayer player, java.util.function.IntPredicate predicate, long millis, Lab.Edge edge)
            throws Exception {
        long start = System.currentTimeMillis();
        long printed = start - 1_000;
        while (System.currentTimeMillis() - start < millis) {
            if (predicate.test(video(player).getInteger("width"))) {
                return System.currentTimeMillis() - start;
            }
            if (edge != null && System.currentTimeMillis() - printed >= 1_000) {
                printed = System.currentTimeMillis();
                System.out.printf("lab layers: %d ms on, edge legs %s%n", printed - start, edge.edgeLegs(TOKEN));
            }
            Thread.sleep(250);
        }
        return -1;
    }

    @Test
    void aViewerOnACappedLinePlaysALowerLayerAndGetsTheTopBackWhenTheCapIsLifted(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of("media.forwarder.congestionFeedback", "twcc", "p2p.enabled", "false",
                    "metrics.adminToken", TOKEN));
            String cappedHome = lab.home(1, Lab.Home.CONE).get(0);
            String openHome = lab.home(2, Lab.Home.CONE).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                lab.downcap(1, 1, CAP_KBIT);
                LabPlayer capped = LabPlayer.open(vertx, edge, "capped at " + CAP_KBIT + " kbit/s", cappedHome, players, 30_000);
                LabPlayer open = LabPlayer.open(vertx, edge, "uncapped", openHome, players, 30_000);
                long down = widthWithin(capped, w -> w > 0 && w < 640, 20_000, null);
                System.out.printf("lab layers: the capped viewer plays a lower layer %d ms after its page opened%n",
                        capped.firstFrameMillis() + down);
                assertTrue(down >= 0, "the capped viewer moves to a lower layer: " + video(capped) + "\n" + capped.log());
                JsonObject before = video(capped);
                Thread.sleep(30_000);
                JsonObject after = video(capped);
                long freezes = after.getLong("freezeCount") - before.getLong("freezeCount");
                long frames = after.getLong("framesDecoded") - before.getLong("framesDecoded");
                System.out.printf("lab layers: over 30 s on the capped line: %d frames decoded, %d freezes, width %d; "
                        + "uncapped viewer %s%n", frames, freezes, after.getInteger("width"), video(open));
                assertTrue(after.getInteger("width") < 640, "it stays on a layer its line carries: " + after);
                assertTrue(frames > 30 * 20, "it keeps playing: " + frames + " frames in 30 s");
                assertEquals(640, video(open).getInteger("width"), "the uncapped viewer plays the top layer");
                p2pedge.testing.Scrape metrics = p2pedge.testing.Scrape.parse(edge.admin("/metrics", null));
                System.out.printf("lab layers: metrics: %.0f viewer(s) below the top layer, %.0f switches, %.0f padding packets%n",
                        metrics.value("p2pedge_media_viewers_below_top_layer"), metrics.value("p2pedge_media_layer_switches_total"),
                        metrics.value("p2pedge_media_padding_packets_total"));
                assertEquals(1, metrics.value("p2pedge_media_viewers_below_top_layer"), "the operator sees one viewer below the top");
                assertTrue(metrics.value("p2pedge_media_layer_switches_total") >= 1, "and its switch");
                assertTrue(metrics.value("p2pedge_media_padding_packets_total") > 0, "and the probes' padding");

                lab.downcap(1, 1, 0);
                long up = widthWithin(capped, w -> w == 640, 20_000, edge);
                System.out.printf("lab layers: the top layer back %d ms after the cap was lifted%n", up);
                assertTrue(up >= 0, "the top layer comes back once the cap is lifted: " + video(capped) + "\n" + capped.log());
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }
}
