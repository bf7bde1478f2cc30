package p2pedge.media.forwarding;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import p2pedge.media.MediaApi;
import p2pedge.media.rtc.SourceNacks;
import p2pedge.testing.Chromium;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.OvenPlayerPages;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.UdpDrops;
import p2pedge.testing.Waits;
import p2pedge.testing.WebrtcFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge with {@code media.plane=forwarder}: the demo stream is encoded once and forwarded; webrtc-java
 * viewers, the player page in Chromium and unmodified OvenPlayer all play it through the unchanged signalling.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class ForwardingPlaneTest {

    @RegisterExtension
    static final WebrtcFactory WEBRTC = new WebrtcFactory();

    /** The forwarding plane with REMB feedback: every viewer on the top layer unless a test moves it. */
    static JsonObject forwarder() {
        return new JsonObject().put("media", new JsonObject().put("plane", "forwarder").put("forwarder", new JsonObject()
                .put("port", 0).put("congestionFeedback", "remb")));
    }

    static JsonObject stats(Vertx vertx) throws Exception {
        return vertx.eventBus().<JsonObject>request(ForwardingMediaVerticle.FORWARDING_STATS, null)
                .await(5, java.util.concurrent.TimeUnit.SECONDS).body();
    }

    /** What the edge received from the source and sent on: to tell a quiet source from a stalled delivery. */
    static String edgeCounters(Vertx vertx) throws Exception {
        JsonObject stats = stats(vertx);
        return new JsonObject().put("sourceVideoPackets", stats.getLong("sourceVideoPackets"))
                .put("forwarded", stats.getLong("forwarded")).put("keyframeRequests", stats.getLong("keyframeRequests"))
                .put("publisherRepublished", stats.getLong("publisherRepublished")).put("dropped", stats.getJsonObject("dropped"))
                .put("sourceVideoLost", stats.getLong("sourceVideoLost")).put("kernelUdpDrops", UdpDrops.ofThisProcess()).encode();
    }

    @Test
    void webrtcJavaViewersDecodeTheForwardedDemoStream(Vertx vertx) throws Exception {
        List<JavaViewer> viewers = new ArrayList<>();
        try (TestEdge edge = TestEdge.start(vertx, forwarder())) {
            for (int i = 0; i < 3; i++) {
                viewers.add(new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream")));
            }
            Waits.until(() -> viewers.stream().allMatch(v -> v.frames() > 10), 20_000, "every viewer decodes frames");
            JavaViewer.assertFrameNumbersRise(viewers, () -> edgeCounters(vertx));
            assertEquals(3, edge.mediaConnections());
            // RTCP both ways: the viewers' libwebrtc accepts the rewritten sender reports (audio and video), and the
            // publisher's libwebrtc derives a round-trip time from the edge's receiver reports.
            Waits.until(() -> viewers.stream().allMatch(v -> {
                try {
                    return v.streamsWithSenderReports() == 2;
                } catch (Exception e) {
                    return false;
                }
            }), 15_000, "every viewer has sender reports for its audio and video");
            Waits.until(() -> stats(vertx).containsKey("publisherRttMillis"), 15_000, "the publisher has an RTT from receiver reports");
            JsonObject stats = stats(vertx);
            assertTrue(stats.getLong("senderReports") > 0 && stats.getLong("receiverReports") > 0, stats.encode());
            System.out.printf("forwarder RTCP: %s sender reports forwarded, %s receiver reports sent, publisher RTT %.1f ms; %s%n",
                    stats.getLong("senderReports"), stats.getLong("receiverReports"), stats.getDouble("publisherRttMillis"),
                    edgeCounters(vertx));
            viewers.forEach(JavaViewer::close);
            edge.awaitMediaConnections(0, 5_000);
        } finally {
            viewers.forEach(JavaViewer::close);
        }
    }

    static int selectLayer(Vertx vertx, long session, int layer) throws Exception {
        return vertx.eventBus().<Integer>request(ForwardingMediaVerticle.SELECT_LAYER,
                new JsonObject().put("session", session).put("layer", layer)).await(5, TimeUnit.SECONDS).body();
    }

    /**
     * The demo publishes three layers (libwebrtc simulcast, encoded once each); each viewer is fed one, moved between
     * them at keyframes, and its decoder (libwebrtc's) follows without a break: the frame numbers keep rising.
     */
    @Test
    void aSimulcastDemoIsForwardedOneLayerPerViewerAndViewersSwitchLayers(Vertx vertx) throws Exception {
        List<JavaViewer> viewers = new ArrayList<>();
        JsonObject layered = forwarder().put("streams", new io.vertx.core.json.JsonArray().add(new JsonObject()
                .put("name", "app/stream").put("source", "demo").put("width", 640).put("height", 360).put("fps", 30)
                .put("layers", 3)));
        try (TestEdge edge = TestEdge.start(vertx, layered)) {
            Waits.until(() -> stats(vertx).getJsonObject("streamLayersKbps").getJsonArray("app/stream").size() == 3, 20_000,
                    "the publisher sends three layers");
            for (int i = 0; i < 2; i++) {
                viewers.add(new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream")));
            }
            JavaViewer switching = viewers.get(0);
            JavaViewer staying = viewers.get(1);
            Waits.until(() -> viewers.stream().allMatch(v -> v.frames() > 10 && v.lastWidth() == 640), 20_000,
                    "both viewers decode the top layer");
            System.out.println("simulcast layers (kbit/s, lowest first): " + stats(vertx).getJsonObject("streamLayersKbps"));
            for (int[] step : new int[][]{{0, 160}, {1, 320}, {9, 640}}) {
                selectLayer(vertx, switching.id(), step[0]);
                long number = switching.lastFrameNumber();
                Waits.until(() -> switching.lastWidth() == step[1] && switching.lastFrameNumber() > number + 15, 10_000,
                        "the viewer moved to layer " + step[0] + " (" + step[1] + " wide) and decodes on");
                assertEquals(640, staying.lastWidth(), "the other viewer keeps the top layer");
            }
            JavaViewer.assertFrameNumbersRise(viewers, () -> edgeCounters(vertx));
            assertEquals(0, stats(vertx).getLong("refusedLayerPackets"));
        } finally {
            viewers.forEach(JavaViewer::close);
        }
    }

    /**
     * Unmodified OvenPlayer decodes across layer switches too: moved 640 -> 160 -> 640 on the demo's three layers, its
     * video element shows each size in turn, frames keep coming and the player reports no error.
     */
    @Test
    @Tag("browser")
    void ovenPlayerDecodesAcrossLayerSwitches(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, forwarder());
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
             OvenPlayerPages pages = OvenPlayerPages.start(vertx)) {
            Waits.until(() -> stats(vertx).getJsonObject("streamLayersKbps").getJsonArray("app/stream").size() == 3, 20_000,
                    "the demo sends three layers (the default)");
            Chromium.Page oven = chromium.open(pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream")));
            oven.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes");
            // Its edge session: the one viewer whose receiver estimates its path (REMB).
            Waits.until(() -> stats(vertx).getJsonObject("viewerEstimatesKbps").size() == 1, 10_000, "OvenPlayer's REMB");
            long session = Long.parseLong(stats(vertx).getJsonObject("viewerEstimatesKbps").fieldNames().iterator().next());
            for (int[] step : new int[][]{{0, 160}, {9, 640}}) {
                long frames = ((Number) oven.eval("window.frames()")).longValue();
                selectLayer(vertx, session, step[0]);
                oven.waitUntil("document.querySelector('video').videoWidth === " + step[1] + " && window.frames() > " + (frames + 30),
                        Duration.ofSeconds(15), "OvenPlayer shows layer " + step[0] + " (" + step[1] + " wide) and decodes on");
            }
            assertEquals("[]", oven.eval("JSON.stringify(window.op.errors)").toString());
        }
    }

    @Test
    void anH264StreamIsForwardedAndDecoded(Vertx vertx) throws Exception {
        List<JavaViewer> viewers = new ArrayList<>();
        JsonObject h264 = forwarder().put("streams", new io.vertx.core.json.JsonArray().add(new JsonObject()
                .put("name", "app/stream").put("source", "demo").put("width", 640).put("height", 360).put("fps", 30)
                .put("codec", "h264")));
        try (TestEdge edge = TestEdge.start(vertx, h264)) {
            for (int i = 0; i < 2; i++) {
                viewers.add(new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream")));
            }
            Waits.until(() -> viewers.stream().allMatch(v -> v.frames() > 10), 20_000, "every viewer decodes H.264 frames");
            JavaViewer.assertFrameNumbersRise(viewers, () -> edgeCounters(vertx));
            // A player that cannot take H.264 gets a clear error, not a black picture.
            try (SignallingClient vp8Only = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                long id = vp8Only.requestOffer().getLong("id");
                vp8Only.send(new JsonObject().put("command", "answer").put("id", id).put("peer_id", 0).put("sdp", new JsonObject()
                        .put("type", "answer").put("sdp", ForwardingChurnTest.answer(id))));
                JsonObject error = vp8Only.next();
                assertEquals(400, error.getInteger("code"), error.encode());
                assertTrue(error.getString("error").contains("H264"), error.encode());
            }
        } finally {
            viewers.forEach(JavaViewer::close);
        }
    }

    @Test
    @Tag("browser")
    void chromiumPlaysAnH264Stream(Vertx vertx) throws Exception {
        JsonObject h264 = forwarder().put("streams", new io.vertx.core.json.JsonArray().add(new JsonObject()
                .put("name", "app/stream").put("source", "demo").put("width", 640).put("height", 360).put("fps", 30)
                .put("codec", "h264")));
        try (TestEdge edge = TestEdge.start(vertx, h264);
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
             Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=app/stream")) {
            page.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "Chromium decodes the forwarded H.264 stream");
        }
    }

    /**
     * A lossy path from the publisher: 5 % of the RTP reaching the edge is dropped before SRTP, so every viewer misses
     * the same packets and none could get them from the edge's cache. The edge asks the publisher (libwebrtc) for each
     * lost video packet again, forwards what comes late in its place, and the viewers decode on without waiting for
     * keyframes.
     */
    @Test
    void lostSourcePacketsAreAskedForAgainAndViewersDecodeOn(Vertx vertx) throws Exception {
        List<JavaViewer> viewers = new ArrayList<>();
        JsonObject lossy = forwarder();
        lossy.getJsonObject("media").getJsonObject("forwarder").put("simulatedSourceLossPercent", 5);
        try (TestEdge edge = TestEdge.start(vertx, lossy)) {
            for (int i = 0; i < 2; i++) {
                viewers.add(new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream")));
            }
            Waits.until(() -> viewers.stream().allMatch(v -> v.frames() > 30), 20_000, "every viewer decodes despite 5% source loss");
            JsonObject before = stats(vertx);
            long[] frames = viewers.stream().mapToLong(JavaViewer::frames).toArray();
            Thread.sleep(4_000);
            JsonObject after = stats(vertx);
            JsonObject retransmissions = after.getJsonObject("sourceRecovery");
            String seen = String.format("frames in 4 s: %d, %d; keyframe requests %d -> %d; %s; dropped %s",
                    viewers.get(0).frames() - frames[0], viewers.get(1).frames() - frames[1], before.getLong("keyframeRequests"),
                    after.getLong("keyframeRequests"), retransmissions.encode(), after.getJsonObject("dropped").encode());
            System.out.println("forwarder under 5% source loss: " + seen);
            assertTrue(after.getJsonObject("dropped").getLong("simulated source loss", 0L) > 0, seen);
            assertTrue(retransmissions.getLong("recovered") > 0, "lost source packets came again: " + seen);
            assertTrue(retransmissions.getLong("abandoned") * 10 <= retransmissions.getLong("recovered"), "few given up: " + seen);
            // Timed from the answers to first requests: the in-process publisher answers across loopback.
            Double roundTrip = retransmissions.getJsonObject("roundTripMillis").getDouble("app/stream");
            assertTrue(roundTrip != null && roundTrip >= 0 && roundTrip < SourceNacks.MAX_RETRY_MILLIS, "source round trip: " + seen);
            for (int i = 0; i < viewers.size(); i++) {
                // 30 frames a second: at least 80 % of them decoded (not frozen until the next keyframe after each loss).
                assertTrue(viewers.get(i).frames() - frames[i] >= 96, "viewer " + i + " decodes on: " + seen);
            }
            JavaViewer.assertFrameNumbersRise(viewers, () -> edgeCounters(vertx));
            // What an operator sees of it.
            Scrape metrics = Scrape.of(edge.metricsPort());
            assertTrue(metrics.value("p2pedge_media_source_retransmissions_total", "outcome=\"recovered\"") >= retransmissions.getLong("recovered"));
            assertTrue(metrics.value("p2pedge_media_port_dropped_total", "reason=\"simulated source loss\"") > 0);
            double roundTripSeconds = metrics.value("p2pedge_media_source_round_trip_seconds", "stream=\"app/stream\"");
            assertTrue(roundTripSeconds >= 0 && roundTripSeconds < SourceNacks.MAX_RETRY_MILLIS / 1000.0, "gauge: " + roundTripSeconds);
        } finally {
            viewers.forEach(JavaViewer::close);
        }
    }

    @Test
    void viewersKeepDecodingThroughPacketLossWithNackAndPli(Vertx vertx) throws Exception {
        JavaViewer viewer = null;
        JsonObject lossy = forwarder();
        lossy.getJsonObject("media").getJsonObject("forwarder").put("simulatedLossPercent", 5);
        try (TestEdge edge = TestEdge.start(vertx, lossy)) {
            viewer = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream"));
            JavaViewer v = viewer;
            Waits.until(() -> v.frames() > 30, 20_000, "the viewer decodes despite 5% loss");
            long frames = v.frames();
            long number = v.lastFrameNumber();
            Thread.sleep(3_000);
            assertTrue(v.frames() - frames >= 45, "it keeps decoding: " + frames + " -> " + v.frames());
            assertTrue(v.lastFrameNumber() > number, "and the picture moves on");
            JsonObject stats = vertx.eventBus().<JsonObject>request(ForwardingMediaVerticle.FORWARDING_STATS, null)
                    .await(5, java.util.concurrent.TimeUnit.SECONDS).body();
            assertTrue(stats.getJsonObject("dropped").getLong("simulated loss", 0L) > 0, stats.encode());
            assertTrue(stats.getLong("retransmitted") > 0, "lost packets were resent on NACK: " + stats.encode());
            System.out.printf("forwarder under 5%% loss: %d frames in 3 s; %s%n", v.frames() - frames, stats.encode());
        } finally {
            if (viewer != null) {
                viewer.close();
            }
        }
    }

    @Test
    @Tag("browser")
    void chromiumPlaysTheForwardedStreamFromThePlayerPageAndOvenPlayer(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, forwarder());
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
             OvenPlayerPages pages = OvenPlayerPages.start(vertx)) {
            Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=app/stream");
            long opened = System.nanoTime();
            page.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 0)()", Duration.ofSeconds(20),
                    "the player page decodes the forwarded stream");
            page.waitUntil("window.p2pEdgePlayer.firstFrameAt !== null", Duration.ofSeconds(10), "a frame is painted");
            long joinMillis = Math.round(((Number) page.eval("window.p2pEdgePlayer.firstFrameAt - window.p2pEdgePlayer.answeredAt")).doubleValue());
            System.out.printf("forwarder: player page decoding %d ms after it opened; join time (answer sent -> first frame "
                    + "painted) %d ms%n", (System.nanoTime() - opened) / 1_000_000, joinMillis);
            assertTrue(joinMillis >= 0 && joinMillis < 2_000, "join time " + joinMillis + " ms");
            page.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(10), "frames rise");
            // Chromium offers AES-GCM SRTP besides AES-CM; the edge prefers it (half the CPU per packet).
            assertEquals("SRTP_AEAD_AES_128_GCM", page.eval("window.p2pEdgePlayer.srtpCipher()"), "Chromium's name for it");
            // abs-send-time stamped by the edge, REMB from the player's receiver: its estimate of the edge's path.
            long session = ((Number) page.eval("window.p2pEdgePlayer.id")).longValue();
            long until = System.nanoTime() + 10_000_000_000L;
            JsonObject estimates = stats(vertx).getJsonObject("viewerEstimatesKbps");
            while (!estimates.containsKey(Long.toString(session)) && System.nanoTime() < until) {
                Thread.sleep(200);
                estimates = stats(vertx).getJsonObject("viewerEstimatesKbps");
            }
            System.out.println("forwarder: the player's receiver estimates its path from the edge at "
                    + estimates.getValue(Long.toString(session)) + " kbit/s (REMB)");
            assertTrue(estimates.getLong(Long.toString(session), 0L) > 0, "the player sends REMB: " + estimates.encode());
            Chromium.Page oven = chromium.open(pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream")));
            oven.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes the forwarded stream");
            assertEquals("[]", oven.eval("JSON.stringify(window.op.errors)").toString());
            page.close();
            oven.close();
            edge.awaitMediaConnections(0, 10_000);
        }
    }

    /**
     * With {@code congestionFeedback: twcc} the edge numbers every packet it sends a viewer (audio and video, one
     * transport-wide sequence) and Chromium reports each one's arrival: what reached the player is measured by the
     * edge itself, here about the stream's rate (the top layer and the audio) with nothing lost on loopback.
     */
    @Test
    @Tag("browser")
    void chromiumReportsEachPacketsArrivalWithTransportWideFeedback(Vertx vertx) throws Exception {
        JsonObject twcc = forwarder();
        twcc.getJsonObject("media").getJsonObject("forwarder").put("congestionFeedback", "twcc");
        try (TestEdge edge = TestEdge.start(vertx, twcc);
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=app/stream");
            page.waitUntil("(async () => await window.p2pEdgePlayer.decodedNow() > 30)()", Duration.ofSeconds(20),
                    "the player page decodes with transport-wide numbering");
            String session = Long.toString(((Number) page.eval("window.p2pEdgePlayer.id")).longValue());
            Waits.until(() -> stats(vertx).getJsonObject("viewerDeliveries").containsKey(session), 10_000,
                    "the edge measures what reached the player from its feedback");
            Thread.sleep(3_000); // past the top layer's ramp-up
            JsonObject delivery = stats(vertx).getJsonObject("viewerDeliveries").getJsonObject(session);
            long layerKbps = stats(vertx).getJsonObject("streamLayersKbps").getJsonArray("app/stream").getLong(2);
            System.out.println("forwarder, transport-wide feedback: delivered to the player " + delivery.encode()
                    + "; the top layer's average " + layerKbps + " kbit/s; REMB " + stats(vertx).getJsonObject("viewerEstimatesKbps"));
            assertTrue(delivery.getLong("kbps") > 300 && delivery.getLong("kbps") < 2_000, delivery.encode());
            assertTrue(delivery.getDouble("lossPercent") < 5, delivery.encode());
            // The load client's viewers report as often as Chromium does: the benches' twcc figures stand for it only then.
            long before = transportFeedbacks(vertx, session);
            long from = System.nanoTime();
            Thread.sleep(4_000);
            double intervalMs = (System.nanoTime() - from) / 1e6 / (transportFeedbacks(vertx, session) - before);
            System.out.printf(Locale.ROOT, "Chromium's transport-wide feedback: every %.1f ms (the load client's: %d ms)%n",
                    intervalMs, LoadViewer.FEEDBACK_INTERVAL_MS);
            assertTrue(intervalMs > 0.7 * LoadViewer.FEEDBACK_INTERVAL_MS && intervalMs < 1.3 * LoadViewer.FEEDBACK_INTERVAL_MS,
                    "Chromium sends feedback every " + intervalMs + " ms, LoadViewer.FEEDBACK_INTERVAL_MS says "
                            + LoadViewer.FEEDBACK_INTERVAL_MS + ": set it to what Chromium sends (bench/browser-feedback.sh)");
        }
    }

    /** How many transport-wide feedback messages the edge has had from viewer {@code session}. */
    private static long transportFeedbacks(Vertx vertx, String session) throws Exception {
        JsonObject legs = vertx.eventBus().<JsonObject>request(MediaApi.VIEWER_LEGS, null).await(5, TimeUnit.SECONDS).body();
        return legs.getJsonObject(session).getLong("transportFeedbacks");
    }

    /**
     * Issue 12 item 3: the edge loses the demo publisher's ICE session on its port (as a stall or lost state would
     * leave it), so the in-process publisher's consent checks go unanswered and its media is dropped: a real
     * failure of its connection. The edge logs it, publishes the demo again on a new connection, and the viewers
     * already there resume without reconnecting (their sequence numbers go on without a gap); a new viewer is
     * served too.
     */
    @Test
    void aLostDemoPublisherIsLoggedAndPublishedAgainAndItsViewersResumeWithoutReconnecting(Vertx vertx) throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger publication = Logger.getLogger("p2pedge.media.forwarding.DemoPublication");
        publication.addHandler(capture);
        List<JavaViewer> viewers = new ArrayList<>();
        try (TestEdge edge = TestEdge.start(vertx, forwarder());
             LoadViewer.Crowd crowd = LoadViewer.Crowd.create(vertx, 2, 0)) {
            JavaViewer decoder = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream"));
            viewers.add(decoder);
            LoadViewer counter = crowd.join(edge.port(), "/app/stream").await(30, TimeUnit.SECONDS);
            Waits.until(() -> decoder.frames() > 10, 20_000, "the viewer decodes the demo stream");
            LoadViewer.Counts before = counter.counts().await(5, TimeUnit.SECONDS);

            assertTrue(vertx.eventBus().<Boolean>request(ForwardingMediaVerticle.LOSE_PUBLISHER_SESSION, "app/stream")
                    .await(5, TimeUnit.SECONDS).body());
            long lostAt = System.nanoTime();
            long numberAtLoss = decoder.lastFrameNumber();

            Waits.until(() -> logged.stream().anyMatch(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("is lost")),
                    20_000, "the lost publisher is logged");
            Waits.until(() -> stats(vertx).getLong("publisherRepublished", 0L) >= 1, 30_000, "the demo stream is published again");
            long framesAtRepublish = decoder.frames();
            Waits.until(() -> decoder.frames() > framesAtRepublish + 30 && decoder.lastFrameNumber() > numberAtLoss, 20_000,
                    "the viewer decodes the new connection's frames, without reconnecting");
            long recoveredMs = (System.nanoTime() - lostAt) / 1_000_000;
            Thread.sleep(1_000);
            LoadViewer.Counts window = counter.counts().await(5, TimeUnit.SECONDS).minus(before);
            // Sequence numbers went on where they were: as many packets arrived as the numbers span (no jump either way).
            assertTrue(window.packets() > 100, "the load viewer receives again: " + window);
            assertTrue(Math.abs(window.expected() - window.packets()) <= Math.max(20, window.expected() / 50),
                    "the load viewer's numbering continued across the new connection: " + window);

            JavaViewer late = new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream"));
            viewers.add(late);
            Waits.until(() -> late.frames() > 10, 20_000, "a new viewer is served");
            assertEquals(3, edge.mediaConnections(), "the first viewers kept their connections");
            System.out.printf("demo publisher lost: logged, published again (%s), the viewer decoding again %d ms after the "
                    + "loss; load viewer over the window: %s%n", stats(vertx).getLong("publisherRepublished"), recoveredMs, window);
            counter.close().await(5, TimeUnit.SECONDS);
        } finally {
            publication.removeHandler(capture);
            viewers.forEach(JavaViewer::close);
        }
    }
}
