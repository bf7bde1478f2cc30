package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.TestEdge;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The publish page takes its stream name from the link it was opened with: a hostile name is shown as text,
 * never run. The name below still publishes (the fragment after '#' never reaches the edge), so the page gets to
 * show its "watch" link.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class PublishPageTest {

    @Test
    void aHostileStreamNameInTheLinkIsShownAsTextAndRunsNoScript(Vertx vertx) throws Exception {
        String hostile = "live/page#<img src=x onerror=\"window.p2pEdgeXss=(window.p2pEdgeXss||0)+1\">";
        JsonObject config = new JsonObject().put("whip", new JsonObject().put("openApps", new JsonArray().add("live")));
        try (TestEdge edge = TestEdge.start(vertx, config);
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            Chromium.Page page = chromium.open("http://127.0.0.1:" + edge.port() + "/publish.html?source=canvas&autostart=1&stream="
                    + URLEncoder.encode(hostile, StandardCharsets.UTF_8));
            page.waitUntil("window.p2pEdgePublisher.state === 'publishing'", Duration.ofSeconds(20),
                    "the page publishes (the name's fragment is not sent)");
            // Give an injected image time to fail to load and fire its handler.
            page.waitUntil("document.readyState === 'complete'", Duration.ofSeconds(5), "the page settles");
            Thread.sleep(1_000);
            Object ran = page.eval("String(window.p2pEdgeXss)");
            Object images = page.eval("document.querySelectorAll('#status img').length");
            Object shown = page.eval("document.getElementById('s-watch').textContent");
            System.out.println("publish page with a hostile stream name: injected handler ran " + ran + " time(s), "
                    + images + " injected image(s); the watch cell shows: " + shown);
            assertEquals("undefined", ran, "no script from the stream name ran");
            assertEquals(0, ((Number) images).intValue(), "no element was made from the stream name");
            assertEquals("/?stream=" + hostile, shown, "the name is shown as it was given, as text");
            page.close();
        }
    }
}
