package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.OvenPlayerPages;
import p2pedge.testing.PlayerTokens;
import p2pedge.testing.TestEdge;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission in real browsers: with {@code admission.enabled}, the player page and unmodified OvenPlayer play with a
 * valid token in their URL, and are refused, with the error shown, with none, an expired one, or one for another
 * stream.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserAdmissionTest {

    private static Vertx vertx;
    private static TestEdge edge;
    private static Chromium chromium;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        edge = TestEdge.start(vertx, new JsonObject().put("admission", PlayerTokens.admission()));
        chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        edge.close();
    }

    /** A token for {@code stream} expiring {@code expiresIn} seconds from now (negative: already expired). */
    private static String token(String stream, long expiresIn) {
        return URLEncoder.encode(PlayerTokens.signed(vertx, PlayerTokens.SECRET, new JsonObject().put("stream", stream)
                .put("exp", System.currentTimeMillis() / 1000 + expiresIn)), StandardCharsets.UTF_8);
    }

    private static String page(String query) {
        return "http://127.0.0.1:" + edge.port() + "/?stream=app/stream" + query;
    }

    @Test
    void thePlayerPagePlaysWithAValidTokenAndShowsTheRefusalOtherwise() throws Exception {
        try (Chromium.Page page = chromium.open(page("&token=" + token("app/stream", 60)))) {
            page.waitUntil("window.p2pEdgePlayer && window.p2pEdgePlayer.framesDecoded > 30", Duration.ofSeconds(20),
                    "the page decodes frames with a valid token");
        }
        refused(page(""), "401");
        refused(page("&token=" + token("app/stream", -120)), "401");
        refused(page("&token=" + token("other/stream", 60)), "403");
    }

    private static void refused(String url, String code) throws Exception {
        try (Chromium.Page page = chromium.open(url)) {
            page.waitUntil("window.p2pEdgePlayer && window.p2pEdgePlayer.state === 'error'", Duration.ofSeconds(15),
                    "the page shows the edge's refusal");
            String shown = String.valueOf(page.eval("document.getElementById('s-error').textContent"));
            assertTrue(shown.startsWith(code) && shown.contains("token"), "the error on the page: " + shown);
            assertEquals(0L, ((Number) page.eval("window.p2pEdgePlayer.offers")).longValue(), "no offer before the refusal");
        }
    }

    @Test
    void unmodifiedOvenPlayerPlaysWithATokenInItsUrlAndReportsTheRefusalWithout(Vertx v) throws Exception {
        OvenPlayerPages.assertInstalled(OvenPlayerPages.NEWEST);
        try (OvenPlayerPages pages = OvenPlayerPages.start(v)) {
            try (Chromium.Page tab = chromium.open(pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream") + "?token=" + token("app/stream", 60)))) {
                tab.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes frames with a valid token");
                assertEquals("[]", tab.eval("JSON.stringify(window.op.errors)").toString(), "OvenPlayer reported no error");
            }
            try (Chromium.Page tab = chromium.open(pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream")))) {
                tab.waitUntil("window.op.errors.length > 0", Duration.ofSeconds(15), "OvenPlayer reports the refusal");
                String errors = String.valueOf(tab.eval("JSON.stringify(window.op.errors)"));
                System.out.println("OvenPlayer without a token reported: " + errors);
                assertTrue(errors.contains("needs a player token"), "OvenPlayer shows the edge's error: " + errors);
                assertEquals(0L, ((Number) tab.eval("window.frames()")).longValue());
            }
        }
    }
}
