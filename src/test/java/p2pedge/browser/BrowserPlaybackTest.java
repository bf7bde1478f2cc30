package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.TestEdge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Debian's headless Chromium plays the demo stream: from the edge's own player page, and in unmodified OvenPlayer. */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserPlaybackTest {

    /** The OvenPlayer release the tests pin (src/test/browser/package.json), installed by npm during the build. */
    static final Path OVENPLAYER_JS = Path.of("src/test/browser/node_modules/ovenplayer/dist/ovenplayer.js");

    /** Page-to-edge WebRTC on loopback: real candidate addresses (no mDNS), loopback interfaces allowed. */
    static final List<String> WEBRTC_LOOPBACK_FLAGS = List.of(
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns");

    private static TestEdge edge;
    private static Chromium chromium;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        edge = TestEdge.start(vertx);
        chromium = Chromium.launch(vertx, WEBRTC_LOOPBACK_FLAGS);
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
            assertEquals(640L, ((Number) page.eval("window.p2pEdgePlayer.width")).longValue());
            assertEquals(1, edge.mediaConnections());
        }
        edge.awaitMediaConnections(0, 10_000);
    }

    @Test
    void unmodifiedOvenPlayerPlaysTheDemoStream(Vertx vertx) throws Exception {
        assertTrue(Files.isRegularFile(OVENPLAYER_JS), OVENPLAYER_JS + " is missing: the build runs npm ci in src/test/browser");
        String page = """
                <!doctype html><html><body>
                <div id="player"></div>
                <script src="/ovenplayer.js"></script>
                <script>
                  window.op = { states: [], errors: [] };
                  const player = OvenPlayer.create('player', {
                    autoStart: true, mute: true,
                    sources: [{ type: 'webrtc', file: 'WS_URL' }]
                  });
                  player.on('stateChanged', (d) => window.op.states.push(d.newstate));
                  player.on('error', (e) => window.op.errors.push(JSON.stringify(e)));
                  window.frames = () => {
                    const v = document.querySelector('video');
                    return v ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
                  };
                </script></body></html>
                """.replace("WS_URL", edge.wsUrl("app/stream"));
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/ovenplayer.js")) {
                req.response().putHeader("content-type", "application/javascript").sendFile(OVENPLAYER_JS.toString());
            } else {
                req.response().putHeader("content-type", "text/html").end(page);
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        try (Chromium.Page tab = chromium.open("http://127.0.0.1:" + server.actualPort() + "/")) {
            tab.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes frames");
            long before = ((Number) tab.eval("window.frames()")).longValue();
            Thread.sleep(1_000);
            long after = ((Number) tab.eval("window.frames()")).longValue();
            assertTrue(after - before >= 10, "frames keep rising: " + before + " -> " + after);
            assertEquals("[]", tab.eval("JSON.stringify(window.op.errors)").toString(), "OvenPlayer reported no error");
            assertTrue(tab.eval("JSON.stringify(window.op.states)").toString().contains("playing"));
        } finally {
            server.close().await(5, TimeUnit.SECONDS);
        }
        edge.awaitMediaConnections(0, 10_000);
    }
}
