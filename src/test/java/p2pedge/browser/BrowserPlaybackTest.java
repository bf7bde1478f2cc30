package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.OvenPlayerPages;
import p2pedge.testing.TestEdge;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's headless Chromium plays the demo stream on the per-viewer webrtc-java plane: from the edge's own
 * player page, and in unmodified OvenPlayer. ({@code ForwardingPlaneTest} does the same on the forwarder, which
 * every other browser test uses as the default plane.)
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserPlaybackTest {

    private static TestEdge edge;
    private static Chromium chromium;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        edge = TestEdge.start(vertx, TestEdge.webrtcPlane());
        chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        edge.close();
    }

    @Test
    void playerPagePlaysTheDemoStream() throws Exception {
        try (Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/?stream=app/stream")) {
            page.waitUntil("window.p2pEdgePlayer && window.p2pEdgePlayer.framesDecoded > 30", Duration.ofSeconds(20),
                    "the player page decodes frames");
            long before = ((Number) page.eval("window.p2pEdgePlayer.framesDecoded")).longValue();
            Thread.sleep(1_000);
            long after = ((Number) page.eval("window.p2pEdgePlayer.framesDecoded")).longValue();
            assertTrue(after - before >= 10, "frames keep rising: " + before + " -> " + after);
            assertEquals("playing", page.eval("window.p2pEdgePlayer.state"));
            page.waitUntil("window.p2pEdgePlayer.firstFrameAt !== null", Duration.ofSeconds(5), "a frame is painted");
            System.out.printf("webrtc-java plane: join time (answer sent -> first frame painted) %d ms%n", Math.round(((Number)
                    page.eval("window.p2pEdgePlayer.firstFrameAt - window.p2pEdgePlayer.answeredAt")).doubleValue()));
            assertEquals(640L, ((Number) page.eval("window.p2pEdgePlayer.width")).longValue());
            assertEquals(1, edge.mediaConnections());
        }
        edge.awaitMediaConnections(0, 10_000);
    }

    @Test
    void unmodifiedOvenPlayerPlaysTheDemoStream(Vertx vertx) throws Exception {
        OvenPlayerPages.assertInstalled(OvenPlayerPages.NEWEST);
        try (OvenPlayerPages pages = OvenPlayerPages.start(vertx);
             Chromium.Page tab = chromium.open(pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream")))) {
            tab.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes frames");
            long before = ((Number) tab.eval("window.frames()")).longValue();
            Thread.sleep(1_000);
            long after = ((Number) tab.eval("window.frames()")).longValue();
            assertTrue(after - before >= 10, "frames keep rising: " + before + " -> " + after);
            assertEquals("[]", tab.eval("JSON.stringify(window.op.errors)").toString(), "OvenPlayer reported no error");
            assertTrue(tab.eval("JSON.stringify(window.op.states)").toString().contains("playing"));
        }
        edge.awaitMediaConnections(0, 10_000);
    }
}
