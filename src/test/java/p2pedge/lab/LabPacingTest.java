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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing on a home router with a short queue (issue 16): two edges side by side, each with one viewer behind a
 * 1 Mbit/s download cap whose queue holds 30 ms (a home router's, not an ISP shaper's); the stream is one 600 kbit/s
 * layer, so both viewers get the same picture (as a Host Peer always gets the top layer). One edge paces what it sends
 * each viewer at what its path was measured to carry; the other sends as it comes. Every keyframe comes from the
 * source as a burst faster than the line: unpaced, the router drops its tail (and the viewer NACKs, or waits for the
 * next keyframe); paced, it waits at the edge. The test prints, for each, what the router dropped and what the
 * viewer's browser reports, and checks the paced viewer lost fewer packets at the router.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabPacingTest {

    private static final int CAP_KBIT = 1_000;
    private static final int QUEUE_MILLIS = 30;
    private static final int MEASURE_SECONDS = Integer.parseInt(System.getenv().getOrDefault("MEASURE_SECONDS", "40"));
    private static final String ONE_LAYER = "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":640,\"height\":360,"
            + "\"fps\":30,\"bitrateKbps\":600,\"codec\":\"vp8\",\"layers\":1,\"keyframeIntervalSeconds\":2}]";

    private static JsonObject video(LabPlayer player) throws Exception {
        return new JsonObject(player.page().eval("window.p2pEdgePlayer.videoNow().then(JSON.stringify)").toString());
    }

    private static Map<String, String> edge(boolean pacing) {
        return Map.of("media.forwarder.congestionFeedback", "twcc", "media.forwarder.pacing", Boolean.toString(pacing),
                "p2p.enabled", "false", "streams", ONE_LAYER, "metrics.adminToken", TOKEN);
    }

    private static final String TOKEN = "lab-pacing-admin";

    /** One viewer's figures over the measured span. */
    private record Span(long routerDrops, long lost, long nacks, long plis, long keyframes, long freezes, long frames) {

        static Span between(long dropsBefore, JsonObject before, long dropsAfter, JsonObject after) {
            return new Span(dropsAfter - dropsBefore, delta(before, after, "packetsLost"), delta(before, after, "nackCount"),
                    delta(before, after, "pliCount"), delta(before, after, "keyFramesDecoded"), delta(before, after, "freezeCount"),
                    delta(before, after, "framesDecoded"));
        }

        private static long delta(JsonObject before, JsonObject after, String field) {
            return after.getLong(field) - before.getLong(field);
        }

        String line() {
            return String.format("%d dropped by the router, %d lost after resends, %d NACKs, %d PLIs, %d keyframes, "
                    + "%d freezes, %d frames", routerDrops, lost, nacks, plis, keyframes, freezes, frames);
        }
    }

    @Test
    void aPacedViewerLosesFewerPacketsAtAShortRouterQueueThanAnUnpacedOne(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge pacedEdge = lab.edge("e1", 10, edge(true));
            Lab.Edge unpacedEdge = lab.edge("e2", 11, edge(false));
            String pacedHome = lab.home(1, Lab.Home.CONE).get(0);
            String unpacedHome = lab.home(2, Lab.Home.CONE).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                lab.downcap(1, 1, CAP_KBIT, QUEUE_MILLIS);
                lab.downcap(2, 1, CAP_KBIT, QUEUE_MILLIS);
                LabPlayer paced = LabPlayer.open(vertx, pacedEdge, "paced", pacedHome, players, 30_000);
                LabPlayer unpaced = LabPlayer.open(vertx, unpacedEdge, "unpaced", unpacedHome, players, 30_000);
                Thread.sleep(5_000); // past the first keyframe, which no path measure paces yet
                long pacedDrops = lab.downcapDrops(1, 1);
                long unpacedDrops = lab.downcapDrops(2, 1);
                JsonObject pacedBefore = video(paced);
                JsonObject unpacedBefore = video(unpaced);
                Thread.sleep(MEASURE_SECONDS * 1_000L);
                Span pacedSpan = Span.between(pacedDrops, pacedBefore, lab.downcapDrops(1, 1), video(paced));
                Span unpacedSpan = Span.between(unpacedDrops, unpacedBefore, lab.downcapDrops(2, 1), video(unpaced));
                System.out.printf("lab pacing: %d kbit/s line, %d ms queue, %d s: paced: %s%n", CAP_KBIT, QUEUE_MILLIS,
                        MEASURE_SECONDS, pacedSpan.line());
                System.out.printf("lab pacing: %d kbit/s line, %d ms queue, %d s: unpaced: %s%n", CAP_KBIT, QUEUE_MILLIS,
                        MEASURE_SECONDS, unpacedSpan.line());
                System.out.printf("lab pacing: edge legs: paced %s; unpaced %s%n", pacedEdge.edgeLegs(TOKEN), unpacedEdge.edgeLegs(TOKEN));
                assertTrue(pacedSpan.frames() > MEASURE_SECONDS * 20, "the paced viewer plays: " + pacedSpan.line());
                assertTrue(pacedSpan.routerDrops() < unpacedSpan.routerDrops(),
                        "pacing loses fewer packets at the router: paced " + pacedSpan.line() + "; unpaced " + unpacedSpan.line());
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }
}
