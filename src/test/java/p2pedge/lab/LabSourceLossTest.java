package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.rtc.SourceNacks;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;
import p2pedge.testing.Scrape;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher on a lossy home line: Chromium's publish page (its fake camera) in a home whose router drops 5 % of what
 * it forwards, both ways (iptables), publishing over WHIP to an edge on the lab's internet; a player page in another
 * home, loss-free, plays it. What the publisher's line loses every viewer would miss: the edge asks the publisher's
 * browser for each lost video packet again (generic NACK, itself crossing the lossy line), and the test checks that
 * packets came back that way and that the player decodes on, printing what its browser reports.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabSourceLossTest {

    private static final int LOSS_PERCENT = 5;
    private static final int MEASURE_SECONDS = 20;

    private static double metric(Lab.Edge edge, String outcome) throws Exception {
        return Scrape.parse(edge.admin("/metrics", null)).value("p2pedge_media_source_retransmissions_total",
                "outcome=\"" + outcome + "\"");
    }

    private static JsonObject video(Chromium.Page player) throws Exception {
        return new JsonObject(player.eval("window.p2pEdgePlayer.videoNow().then(JSON.stringify)").toString());
    }

    @Test
    void aPublishersLostPacketsAreAskedForAgainAcrossItsLossyLine(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of("whip.openApps", "[\"live\"]", "p2p.enabled", "false"));
            String publisherHome = lab.home(1, Lab.Home.CONE, 1, 0, LOSS_PERCENT).get(0);
            String playerHome = lab.home(2, Lab.Home.CONE).get(0);
            // The camera needs a secure context: the edge's plain-HTTP page is treated as one, as a TLS one would be.
            try (Chromium publishing = Chromium.launch(vertx, publisherHome, List.of("--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream", "--unsafely-treat-insecure-origin-as-secure=http://" + edge.address + ":3333"));
                 Chromium playing = Lab.runningBrowser(vertx, playerHome)) {
                Chromium.Page publisher = publishing.open("http://" + edge.address + ":3333/publish.html?stream=live/lossy"
                        + "&source=camera&autostart=1");
                publisher.waitUntil("window.p2pEdgePublisher.state === 'publishing'", Duration.ofSeconds(30),
                        "the publish page publishes across its lossy line");
                Chromium.Page player = playing.open(edge.playerUrl("live/lossy"));
                player.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(30),
                        "the player page plays it");
                double requested = metric(edge, "requested");
                double recovered = metric(edge, "recovered");
                double abandoned = metric(edge, "abandoned");
                JsonObject before = video(player);
                Thread.sleep(MEASURE_SECONDS * 1_000L);
                JsonObject after = video(player);
                String seen = String.format("over %d s: the edge asked %.0f times, %.0f recovered, %.0f given up; the player "
                                + "decoded %d frames, %d freezes, %d keyframes, %d packets lost after resends", MEASURE_SECONDS,
                        metric(edge, "requested") - requested, metric(edge, "recovered") - recovered,
                        metric(edge, "abandoned") - abandoned, after.getLong("framesDecoded") - before.getLong("framesDecoded"),
                        after.getLong("freezeCount") - before.getLong("freezeCount"),
                        after.getLong("keyFramesDecoded") - before.getLong("keyFramesDecoded"),
                        after.getLong("packetsLost") - before.getLong("packetsLost"));
                double roundTrip = Scrape.parse(edge.admin("/metrics", null)).value("p2pedge_media_source_round_trip_seconds",
                        "stream=\"live/lossy\"");
                seen += String.format("; the publisher's round trip as its answers measure it: %.1f ms", roundTrip * 1000);
                System.out.println("lab source loss (" + LOSS_PERCENT + " % on the publisher's line): " + seen);
                assertTrue(metric(edge, "recovered") - recovered > 0, "lost packets came again from the publisher: " + seen);
                assertTrue(roundTrip >= 0 && roundTrip < SourceNacks.MAX_RETRY_MILLIS / 1000.0, "the answers time the publisher: " + seen);
                // The fake camera sends about 20 frames a second here (399-400 in 20 s in this test's runs); a lost
                // packet nobody recovers stops the picture until a keyframe (38 frames with the requests switched off).
                // Freezes are printed, not bounded: a packet whose request was lost too comes 100 ms later, which
                // Chrome may count as one.
                assertTrue(after.getLong("framesDecoded") - before.getLong("framesDecoded") > MEASURE_SECONDS * 10L,
                        "the player decodes on: " + seen);
            }
        }
    }
}
