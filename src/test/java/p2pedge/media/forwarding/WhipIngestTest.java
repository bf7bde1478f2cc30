package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;
import p2pedge.testing.WhipPublisher;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WHIP ingest on one edge: a webrtc-java publisher POSTs its offer, a player of that stream name decodes the
 * frames the publisher drew (their frame numbers rise), DELETE ends the stream and its player gets an error.
 * Every bad request gets its status and leaves the running stream untouched.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class WhipIngestTest {

    private static final String TOKEN = "s3cret-token";

    private HeadlessAudioDeviceModule audio;
    private PeerConnectionFactory factory;

    @BeforeEach
    void factory() {
        audio = new HeadlessAudioDeviceModule();
        factory = new PeerConnectionFactory(audio);
    }

    @AfterEach
    void dispose() {
        factory.dispose();
        audio.dispose();
    }

    private static JsonObject config() {
        // "secure" needs its token; the other apps these tests publish to are open to anyone.
        return ForwardingPlaneTest.forwarder().put("whip", new JsonObject()
                .put("tokens", new JsonObject().put("secure", TOKEN))
                .put("openApps", new io.vertx.core.json.JsonArray().add("live").add("open").add("app"))
                .put("publisherTimeoutSeconds", 3));
    }

    @Test
    void aWhipPublishersFramesReachAPlayerAndDeleteEndsTheStream(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             WhipPublisher publisher = new WhipPublisher(factory, edge.port()).publish("live/cam", null)) {
            assertTrue(publisher.location().startsWith("/live/cam/"), publisher.location());
            try (JavaViewer viewer = new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/live/cam"))) {
                Waits.until(() -> viewer.frames() > 10 && viewer.lastFrameNumber() >= 0, 20_000,
                        "the player decodes the publisher's frames");
                long number = viewer.lastFrameNumber();
                Thread.sleep(1_000);
                assertTrue(viewer.lastFrameNumber() > number, "the publisher's frame numbers rise: " + number + " -> "
                        + viewer.lastFrameNumber());
                double[] latency = publisher.latenciesMillis(viewer);
                assertTrue(latency.length > 30, "frames matched by number: " + latency.length);
                double p50 = latency[latency.length / 2];
                double p95 = latency[(int) (latency.length * 0.95)];
                System.out.printf("WHIP glass-to-glass (publisher frame pushed -> player decoded, %d frames, loopback): "
                        + "p50 %.0f ms, p95 %.0f ms%n", latency.length, p50, p95);
                assertTrue(p50 < 500, "p50 " + p50 + " ms");

                assertEquals(200, WhipPublisher.delete(edge.port(), publisher.location(), null).statusCode());
                JsonObject error = viewer.signalling().next(Duration.ofSeconds(5));
                assertTrue(error.getString("error", "").contains("ended"), "the player is told: " + error.encode());
            }
            try (SignallingClient late = SignallingClient.connect(vertx, edge.port(), "/live/cam")) {
                // The edge refuses a player of an unknown stream right after the handshake: no request needed.
                assertEquals(404, late.next().getInteger("code"), "the stream is gone");
            }
            assertEquals(404, WhipPublisher.delete(edge.port(), publisher.location(), null).statusCode(), "deleted once");
        }
    }

    @Test
    void badRequestsGetTheirStatusAndLeaveTheLiveStreamAlone(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             WhipPublisher live = new WhipPublisher(factory, edge.port()).publish("secure/cam", TOKEN);
             WhipPublisher other = new WhipPublisher(factory, edge.port());
             JavaViewer viewer = new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/secure/cam"))) {
            Waits.until(() -> viewer.frames() > 10, 20_000, "the live stream plays");
            int port = edge.port();
            String offer = other.offer();
            assertStatus(401, WhipPublisher.post(port, "secure/other", "application/sdp", offer, null), "no token");
            assertStatus(401, WhipPublisher.post(port, "secure/other", "application/sdp", offer, "guess"), "wrong token");
            assertStatus(415, WhipPublisher.post(port, "open/x", "text/plain", offer, null), "not SDP");
            assertStatus(400, WhipPublisher.post(port, "open/x", "application/sdp", "{\"sdp\":1}", null), "a body that is not SDP");
            assertStatus(400, WhipPublisher.post(port, "open/x", "application/sdp", offer.substring(0, offer.indexOf("m=")), null),
                    "SDP without media");
            String vp9Only = offer.replaceAll("a=rtpmap:(\\d+) (VP8|H264)/", "a=rtpmap:$1 X-$2/");
            assertStatus(400, WhipPublisher.post(port, "open/x", "application/sdp", vp9Only, null), "no codec the edge forwards");
            assertStatus(409, WhipPublisher.post(port, "secure/cam", "application/sdp", offer, TOKEN), "the name is live");
            assertStatus(409, WhipPublisher.post(port, "app/stream", "application/sdp", offer, null), "the demo's name");
            HttpResponse<String> oversized = WhipPublisher.post(port, "open/x", "application/sdp",
                    offer + "a=x:" + "y".repeat(70_000) + "\r\n", null);
            assertStatus(413, oversized, "oversized");
            assertTrue(oversized.body().contains("whip.maxBodyBytes"), "the 413 says why: " + oversized.body());
            assertStatus(401, WhipPublisher.delete(port, live.location(), null), "DELETE needs the token too");
            assertStatus(404, WhipPublisher.delete(port, "/secure/cam/nope", TOKEN), "unknown resource");

            long number = viewer.lastFrameNumber();
            Thread.sleep(1_000);
            assertTrue(viewer.lastFrameNumber() > number, "the live stream kept playing");
            JsonObject stats = ForwardingPlaneTest.stats(vertx);
            assertEquals(1, stats.getInteger("viewers"), stats.encode());
            assertEquals(3, stats.getInteger("sessions"), "the demo's and the live publisher's sessions and the viewer's; "
                    + "nothing left of the refused offers: " + stats.encode());
        }
    }

    /**
     * Chromium with its fake camera (a canvas in a tab that is not in front would get its timers throttled, and send
     * little).
     */
    private static final java.util.List<String> FAKE_CAMERA = java.util.stream.Stream.concat(
            p2pedge.testing.Chromium.LOOPBACK_WEBRTC_FLAGS.stream(),
            java.util.stream.Stream.of("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")).toList();

    /** The publish page with {@code query}, started; returns once it publishes. */
    private static p2pedge.testing.Chromium.Page publish(p2pedge.testing.Chromium chromium, TestEdge edge, String query) throws Exception {
        p2pedge.testing.Chromium.Page publisher = chromium.open("http://127.0.0.1:" + edge.port() + "/publish.html?" + query + "&autostart=1");
        publisher.waitUntil("window.p2pEdgePublisher.state === 'publishing'", Duration.ofSeconds(20), "the publish page publishes (" + query + ")");
        return publisher;
    }

    @Test
    @Tag("browser")
    void chromiumPublishesFromThePublishPageAndAnotherPagePlays(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             p2pedge.testing.Chromium chromium = p2pedge.testing.Chromium.launch(vertx, FAKE_CAMERA)) {
            p2pedge.testing.Chromium.Page publisher = publish(chromium, edge, "stream=live/page&source=camera");
            p2pedge.testing.Chromium.Page player = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=live/page");
            player.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "another page plays what the publish page sends");
            JsonObject stats = ForwardingPlaneTest.stats(vertx);
            System.out.println("WHIP from Chromium's publish page: " + stats.encode());
            publisher.eval("document.getElementById('stop').click()");
            player.waitUntil("window.p2pEdgePlayer.state !== 'playing'", Duration.ofSeconds(10),
                    "the player is told the stream ended");
            player.close();
            publisher.close();
        }
    }

    /**
     * Simulcast from Chromium's publish page (three RID layers, RFC 8853): the edge takes all three, and a player page
     * moved from layer to layer (at keyframes) keeps decoding, its picture the size of each layer in turn.
     */
    /**
     * The player page, moved by its edge ({@code edge}: that edge's event bus) to the lowest, the middle and the top
     * layer of the publish page's simulcast, decodes each at its size (160, 320, 640 wide).
     */
    private static void decodesEachLayer(Vertx edge, p2pedge.testing.Chromium.Page player) throws Exception {
        long session = ((Number) player.eval("window.p2pEdgePlayer.id")).longValue();
        for (int[] step : new int[][]{{0, 160}, {1, 320}, {9, 640}}) {
            long decoded = ((Number) player.eval("window.p2pEdgePlayer.decodedNow()")).longValue();
            ForwardingPlaneTest.selectLayer(edge, session, step[0]);
            player.waitUntil("(async () => document.querySelector('video').videoWidth === " + step[1]
                            + " && await window.p2pEdgePlayer.decodedNow() > " + (decoded + 30) + ")()", Duration.ofSeconds(15),
                    "the player decodes layer " + step[0] + " (" + step[1] + " wide)");
        }
    }

    /**
     * A simulcast stream published on one edge and pulled by another carries every layer: the pulling edge ranks the
     * three itself and moves its own player between them. Real Hazelcast members, real media between the edges.
     */
    @Test
    @Tag("browser")
    @Tag("cluster")
    void aPullOfASimulcastStreamCarriesEveryLayer(Vertx vertx) throws Exception {
        try (p2pedge.testing.TestCluster cluster = new p2pedge.testing.TestCluster(config());
             p2pedge.testing.Chromium chromium = p2pedge.testing.Chromium.launch(vertx, FAKE_CAMERA)) {
            p2pedge.testing.TestCluster.Member origin = cluster.start();
            p2pedge.testing.TestCluster.Member puller = cluster.start();
            p2pedge.testing.Chromium.Page publisher = chromium.open("http://127.0.0.1:" + origin.port()
                    + "/publish.html?stream=live/pulledlayers&source=camera&simulcast=1&autostart=1");
            publisher.waitUntil("window.p2pEdgePublisher.state === 'publishing'", Duration.ofSeconds(20), "the origin ingests the page");
            p2pedge.testing.Waits.until(() -> ForwardingPlaneTest.stats(origin.vertx).getJsonObject("streamLayersKbps")
                    .getJsonArray("live/pulledlayers", new io.vertx.core.json.JsonArray()).size() == 3, 30_000, "the origin receives three layers");
            p2pedge.testing.Chromium.Page player = chromium.open("http://127.0.0.1:" + puller.port() + "/?stream=live/pulledlayers");
            player.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "a player on the other edge plays the pulled stream");
            p2pedge.testing.Waits.until(() -> ForwardingPlaneTest.stats(puller.vertx).getJsonObject("streamLayersKbps")
                    .getJsonArray("live/pulledlayers", new io.vertx.core.json.JsonArray()).size() == 3, 10_000, "the pull carries three layers");
            decodesEachLayer(puller.vertx, player);
            System.out.println("simulcast pulled: origin layers " + ForwardingPlaneTest.stats(origin.vertx).getJsonObject("streamLayersKbps")
                    + ", pulling edge " + ForwardingPlaneTest.stats(puller.vertx).getJsonObject("streamLayersKbps"));
            assertEquals(0, ForwardingPlaneTest.stats(puller.vertx).getLong("refusedLayerPackets"));
            assertEquals(1, origin.mediaConnections(), "the origin sends the layers once, to the pull");
        }
    }

    @Test
    @Tag("browser")
    void chromiumPublishesSimulcastAndAPlayerDecodesAcrossLayerSwitches(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             p2pedge.testing.Chromium chromium = p2pedge.testing.Chromium.launch(vertx, FAKE_CAMERA)) {
            p2pedge.testing.Chromium.Page publisher = publish(chromium, edge, "stream=live/layers&source=camera&simulcast=1");
            p2pedge.testing.Waits.until(() -> ForwardingPlaneTest.stats(vertx).getJsonObject("streamLayersKbps")
                    .getJsonArray("live/layers", new io.vertx.core.json.JsonArray()).size() == 3, 30_000, "the edge receives three layers");
            p2pedge.testing.Chromium.Page player = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=live/layers");
            player.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "the player plays the simulcast stream");
            decodesEachLayer(vertx, player);
            System.out.println("WHIP simulcast from Chromium: layers " + ForwardingPlaneTest.stats(vertx).getJsonObject("streamLayersKbps")
                    + ", publisher " + publisher.eval("JSON.stringify(window.p2pEdgePublisher.layers)"));
            assertEquals(0, ForwardingPlaneTest.stats(vertx).getLong("refusedLayerPackets"));
        }
    }

    @Test
    void withReplaceOnASecondPublisherTakesOverTheName(Vertx vertx) throws Exception {
        JsonObject replacing = config();
        replacing.getJsonObject("whip").put("replace", true);
        try (TestEdge edge = TestEdge.start(vertx, replacing);
             WhipPublisher first = new WhipPublisher(factory, edge.port()).publish("live/cam", null);
             JavaViewer viewer = new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/live/cam"))) {
            Waits.until(() -> viewer.frames() > 10, 20_000, "the first publisher plays");
            try (WhipPublisher second = new WhipPublisher(factory, edge.port()).publish("live/cam", null)) {
                JsonObject error = viewer.signalling().next(Duration.ofSeconds(5));
                assertTrue(error.getString("error", "").contains("replaced"), "the first stream's player is told: " + error.encode());
                try (JavaViewer next = new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/live/cam"))) {
                    Waits.until(() -> next.frames() > 10, 20_000, "a new player plays the second publisher");
                }
                assertEquals(404, WhipPublisher.delete(edge.port(), first.location(), null).statusCode(), "the first resource is gone");
                assertEquals(409, WhipPublisher.post(edge.port(), "app/stream", "application/sdp", second.offer(), null).statusCode(),
                        "configured streams are never replaced");
            }
        }
    }

    @Test
    @Tag("browser")
    void aWhepPlayerPlaysTheDemoAndAWhipStreamAndIsReleasedOnDelete(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             WhipPublisher publisher = new WhipPublisher(factory, edge.port()).publish("live/whep", null);
             p2pedge.testing.Chromium chromium = p2pedge.testing.Chromium.launch(vertx, p2pedge.testing.Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            for (String stream : java.util.List.of("app/stream", "live/whep")) {
                p2pedge.testing.Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/whep.html?stream="
                        + stream + "&autostart=1");
                page.waitUntil("window.p2pEdgeWhep.framesDecoded > 30", Duration.ofSeconds(20), "the WHEP page plays " + stream);
                assertTrue(page.eval("window.p2pEdgeWhep.location").toString().startsWith("/whep/" + stream + "/"));
                assertEquals(1, edge.mediaConnections(), "one WHEP viewer, edge-served");
                page.eval("document.getElementById('stop').click()");
                Waits.until(() -> edge.mediaConnections() == 0, 5_000, "DELETE releases the WHEP viewer");
                page.close();
            }
            int port = edge.port();
            String offer;
            try (WhipPublisher sender = new WhipPublisher(factory, port)) {
                offer = sender.offer().replace("a=sendrecv", "a=sendonly");
            }
            assertStatus(400, WhipPublisher.post(port, "whep/app/stream", "application/sdp", offer, null), "an offer that receives nothing");
            assertStatus(404, WhipPublisher.post(port, "whep/live/none", "application/sdp", offer, null), "no such stream");
            assertStatus(415, WhipPublisher.post(port, "whep/app/stream", "text/plain", offer, null), "not SDP");
            assertStatus(404, WhipPublisher.delete(port, "/whep/app/stream/nope", null), "unknown resource");
        }
    }

    @Test
    void aPublisherThatVanishesEndsItsStream(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, config());
             WhipPublisher publisher = new WhipPublisher(factory, edge.port()).publish("live/gone", null);
             JavaViewer viewer = new JavaViewer(factory, SignallingClient.connect(vertx, edge.port(), "/live/gone"))) {
            Waits.until(() -> viewer.frames() > 10, 20_000, "it plays");
            publisher.vanish();
            JsonObject error = viewer.signalling().next(Duration.ofSeconds(8));
            assertTrue(error.getString("error", "").contains("silent"), "the player is told: " + error.encode());
        }
    }

    private static void assertStatus(int expected, HttpResponse<String> response, String what) {
        assertEquals(expected, response.statusCode(), what + ": " + response.body());
    }
}
