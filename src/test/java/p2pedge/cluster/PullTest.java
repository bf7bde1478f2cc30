package p2pedge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestCluster;
import p2pedge.testing.Waits;
import p2pedge.testing.WebrtcFactory;
import p2pedge.testing.WhipPublisher;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream published with WHIP on edge A plays on edge B through one pull (B is one viewer of A, and
 * serves all its own viewers from that pull); the name is taken cluster-wide; when the publisher stops, B's
 * players are told at once. Real Hazelcast members and real media between the edges' UDP ports.
 */
@Tag("cluster")
@ExtendWith(VertxExtension.class)
class PullTest {

    @RegisterExtension
    static final WebrtcFactory WEBRTC = new WebrtcFactory();

    @Test
    @Tag("browser")
    void chromiumPublishesOnOneEdgeAndAPlayerPageAndAWhepPageOnTwoOthersPlay(Vertx vertx) throws Exception {
        java.util.List<String> flags = new java.util.ArrayList<>(p2pedge.testing.Chromium.LOOPBACK_WEBRTC_FLAGS);
        flags.addAll(java.util.List.of("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"));
        try (TestCluster cluster = new TestCluster(new JsonObject().put("media", new JsonObject().put("plane", "forwarder"))
                .put("whip", new JsonObject().put("openApps", new io.vertx.core.json.JsonArray().add("live"))));
             p2pedge.testing.Chromium chromium = p2pedge.testing.Chromium.launch(vertx, flags)) {
            TestCluster.Member one = cluster.start();
            TestCluster.Member two = cluster.start();
            TestCluster.Member three = cluster.start();
            p2pedge.testing.Chromium.Page publisher = chromium.open("http://127.0.0.1:" + one.port()
                    + "/publish.html?stream=live/everywhere&source=camera&autostart=1");
            publisher.waitUntil("window.p2pEdgePublisher.state === 'publishing'", Duration.ofSeconds(20), "edge 1 ingests the page");
            p2pedge.testing.Chromium.Page player = chromium.open("http://127.0.0.1:" + two.port() + "/?stream=live/everywhere");
            player.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "the player page on edge 2 plays the stream published on edge 1");
            Waits.until(() -> two.hosts().size() == 1, 5_000, "the first player on edge 2 is a Host Peer of the pulled stream");
            p2pedge.testing.Chromium.Page peer = chromium.open("http://127.0.0.1:" + two.port() + "/?stream=live/everywhere");
            peer.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "a second player page on edge 2 plays too");
            assertEquals(((Number) player.eval("window.p2pEdgePlayer.id")).longValue(),
                    ((Number) peer.eval("window.p2pEdgePlayer.peerId")).longValue(),
                    "the second page plays the pulled stream from the first, through P2P");
            assertEquals(1, two.mediaConnections(), "edge 2 serves one player; its pull feeds it, the peer does the rest");
            p2pedge.testing.Chromium.Page whep = chromium.open("http://127.0.0.1:" + three.port()
                    + "/whep.html?stream=live/everywhere&autostart=1");
            whep.waitUntil("window.p2pEdgeWhep.framesDecoded > 30", Duration.ofSeconds(20),
                    "the WHEP page on edge 3 plays it too (pulled)");
            publisher.close();
        }
    }

    @Test
    void aStreamIngestedOnOneEdgePlaysOnAnotherThroughOnePull(Vertx vertx) throws Exception {
        JsonObject config = new JsonObject().put("media", new JsonObject().put("plane", "forwarder"))
                .put("whip", new JsonObject().put("openApps", new io.vertx.core.json.JsonArray().add("live")));
        try (TestCluster cluster = new TestCluster(config)) {
            TestCluster.Member a = cluster.start();
            TestCluster.Member b = cluster.start();
            try (WhipPublisher publisher = new WhipPublisher(WEBRTC.get(), a.port()).publish("live/pulled", null);
                 JavaViewer onA = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, a.port(), "/live/pulled"));
                 JavaViewer onB1 = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, b.port(), "/live/pulled"));
                 JavaViewer onB2 = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, b.port(), "/live/pulled"))) {
                for (JavaViewer viewer : java.util.List.of(onA, onB1, onB2)) {
                    Waits.until(() -> viewer.frames() > 10, 20_000, "every viewer decodes the publisher's frames");
                }
                long number = onB1.lastFrameNumber();
                Thread.sleep(1_000);
                assertTrue(onB1.lastFrameNumber() > number, "frame numbers rise on edge B too");
                assertEquals(2, a.mediaConnections(), "edge A serves its own viewer and ONE pull for edge B");
                assertEquals(2, b.mediaConnections(), "edge B serves its two viewers from that pull");
                double[] direct = publisher.latenciesMillis(onA);
                double[] pulled = publisher.latenciesMillis(onB1);
                System.out.printf("glass-to-glass on the origin edge p50 %.0f ms; through the pull to edge B p50 %.0f ms "
                        + "(loopback, %d and %d frames)%n", direct[direct.length / 2], pulled[pulled.length / 2],
                        direct.length, pulled.length);

                WhipPublisher second = new WhipPublisher(WEBRTC.get(), b.port());
                try {
                    assertEquals(409, WhipPublisher.post(b.port(), "live/pulled", "application/sdp", second.offer(), null).statusCode(),
                            "the name is live on edge A: taken cluster-wide");
                } finally {
                    second.close();
                }

                long deleted = System.nanoTime();
                assertEquals(200, WhipPublisher.delete(a.port(), publisher.location(), null).statusCode());
                JsonObject error = onB1.signalling().next(Duration.ofSeconds(5));
                assertTrue(error.getString("error", "").contains("ended"), "B's player is told: " + error.encode());
                System.out.printf("publisher stopped on A: B's player told %d ms later%n", (System.nanoTime() - deleted) / 1_000_000);
                Waits.until(() -> b.mediaConnections() == 0, 5_000, "edge B released its viewers");
                Waits.until(() -> a.mediaConnections() == 0, 5_000, "edge A released the pull");
            }
            // The name is free again, on either edge.
            try (WhipPublisher again = new WhipPublisher(WEBRTC.get(), b.port()).publish("live/pulled", null)) {
                assertTrue(again.location().startsWith("/live/pulled/"));
            }
        }
    }

    /**
     * A lossy path between edges: every edge drops 5 % of the RTP it sends, the pull from the origin included, so what
     * the pulling edge misses its viewers miss too. The pulling edge asks the origin for each lost video packet (from
     * the pull's own cache there, per layer SSRC) and its viewer decodes on without waiting for keyframes.
     */
    @Test
    void packetsAPullLosesAreAskedForAgainFromTheOrigin(Vertx vertx) throws Exception {
        JsonObject config = new JsonObject().put("media", new JsonObject().put("plane", "forwarder")
                        .put("forwarder", new JsonObject().put("simulatedLossPercent", 5)))
                .put("whip", new JsonObject().put("openApps", new io.vertx.core.json.JsonArray().add("live")));
        try (TestCluster cluster = new TestCluster(config)) {
            TestCluster.Member a = cluster.start();
            TestCluster.Member b = cluster.start();
            try (WhipPublisher publisher = new WhipPublisher(WEBRTC.get(), a.port()).publish("live/lossy", null);
                 JavaViewer onB = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, b.port(), "/live/lossy"))) {
                Waits.until(() -> onB.frames() > 30, 20_000, "edge B's viewer decodes the pulled stream despite the loss");
                long frames = onB.frames();
                long number = onB.lastFrameNumber();
                Thread.sleep(4_000);
                JsonObject stats = b.vertx.eventBus().<JsonObject>request(
                        p2pedge.media.forwarding.ForwardingMediaVerticle.FORWARDING_STATS, null).await(5, TimeUnit.SECONDS).body();
                JsonObject recovery = stats.getJsonObject("sourceRecovery");
                String seen = String.format("frames in 4 s: %d (frame number %d -> %d); edge B %s, keyframe requests %d",
                        onB.frames() - frames, number, onB.lastFrameNumber(), recovery.encode(), stats.getLong("keyframeRequests"));
                System.out.println("pull under 5% loss: " + seen);
                assertTrue(recovery.getLong("recovered") > 0, "the pull's lost packets came again from the origin: " + seen);
                assertTrue(recovery.getLong("abandoned") * 10 <= recovery.getLong("recovered"), "few given up: " + seen);
                // About 30 frames a second: at least 80 % of them decoded, not frozen until a keyframe after each loss.
                assertTrue(onB.frames() - frames >= 96, "edge B's viewer decodes on: " + seen);
            }
        }
    }

    @Test
    void aPullNobodyWatchesEndsAndTheNextViewerPullsAgainAndADeadPullerIsReleased(Vertx vertx) throws Exception {
        JsonObject config = new JsonObject().put("media", new JsonObject().put("plane", "forwarder"))
                .put("pull", new JsonObject().put("idleSeconds", 2))
                .put("whip", new JsonObject().put("openApps", new io.vertx.core.json.JsonArray().add("live")));
        try (TestCluster cluster = new TestCluster(config)) {
            TestCluster.Member a = cluster.start();
            TestCluster.Member b = cluster.start();
            TestCluster.Member c = cluster.start();
            try (WhipPublisher publisher = new WhipPublisher(WEBRTC.get(), a.port()).publish("live/idle", null)) {
                try (JavaViewer first = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, b.port(), "/live/idle"))) {
                    Waits.until(() -> first.frames() > 5, 20_000, "B's viewer decodes through the pull");
                    assertEquals(1, a.mediaConnections(), "A serves B's one pull");
                }
                Waits.until(() -> b.mediaConnections() == 0, 5_000, "B released its viewer");
                Thread.sleep(1_000);
                assertEquals(1, a.mediaConnections(), "the pull outlives its last viewer for pull.idleSeconds");
                Waits.until(() -> a.mediaConnections() == 0, 5_000, "B let the pull go once nobody watched");
                try (JavaViewer next = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, b.port(), "/live/idle"))) {
                    Waits.until(() -> next.frames() > 5, 20_000, "the next viewer on B is served by a new pull");
                    assertEquals(1, a.mediaConnections());
                    try (JavaViewer onC = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, c.port(), "/live/idle"))) {
                        Waits.until(() -> onC.frames() > 5, 20_000, "C's viewer decodes through its own pull");
                        assertEquals(2, a.mediaConnections(), "one pull per edge");
                        cluster.kill(c);
                        Waits.until(() -> a.mediaConnections() == 1, 10_000, "A released the pull of the edge that died");
                        long number = next.lastFrameNumber();
                        Waits.until(() -> next.lastFrameNumber() > number + 10, 5_000, "B's viewer plays on");
                    }
                }
            }
        }
    }
}
