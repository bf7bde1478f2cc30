package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import p2pedge.http.SelfSignedCertificate;
import p2pedge.testing.Chromium;
import p2pedge.testing.OvenPlayerPages;
import p2pedge.testing.TestEdge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS and WSS in a real browser: an edge with {@code signalling.tls} and {@code metrics.tls} on a certificate it
 * made itself; Chromium trusts that one certificate (by its public key, as an operator's browser would after
 * importing it), plays the player page over https (so its signalling is wss: a secure page may open no ws socket),
 * plays unmodified OvenPlayer from a wss URL, reads /health over https; a Chromium that does not trust it gets no page.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserTlsTest {

    private static Vertx vertx;
    @TempDir
    static Path dir;
    private static TestEdge edge;
    private static Chromium trusting;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        JsonObject tls = new JsonObject().put("enabled", true).put("selfSigned", true)
                .put("certFile", dir.resolve("cert.pem").toString()).put("keyFile", dir.resolve("key.pem").toString());
        edge = TestEdge.start(vertx, new JsonObject().put("signalling", new JsonObject().put("tls", tls))
                .put("metrics", new JsonObject().put("tls", tls.copy())));
        String spki = SelfSignedCertificate.spkiSha256(SelfSignedCertificate.read(dir.resolve("cert.pem")));
        List<String> flags = new ArrayList<>(Chromium.LOOPBACK_WEBRTC_FLAGS);
        flags.add("--ignore-certificate-errors-spki-list=" + spki);
        trusting = Chromium.launch(vertx, flags);
    }

    @AfterAll
    static void stop() throws Exception {
        if (trusting != null) {
            trusting.close();
        }
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void thePlayerPagePlaysOverHttpsAndWss() throws Exception {
        try (Chromium.Page page = trusting.open("https://localhost:" + edge.port() + "/?stream=app/stream")) {
            page.waitUntil("window.p2pEdgePlayer && window.p2pEdgePlayer.framesDecoded > 30", Duration.ofSeconds(25),
                    "the https page decodes frames");
            assertEquals("https:", page.eval("location.protocol"));
        }
        try (Chromium.Page page = trusting.open("https://localhost:" + edge.metricsPort() + "/health")) {
            page.waitUntil("document.body && document.body.innerText.includes('\"up\"')", Duration.ofSeconds(10),
                    "/health over https");
        }
    }

    @Test
    void unmodifiedOvenPlayerPlaysFromAWssUrl(Vertx v) throws Exception {
        OvenPlayerPages.assertInstalled(OvenPlayerPages.NEWEST);
        try (OvenPlayerPages pages = OvenPlayerPages.start(v);
             Chromium.Page tab = trusting.open(pages.url(OvenPlayerPages.NEWEST, "wss://localhost:" + edge.port() + "/app/stream"))) {
            tab.waitUntil("window.frames() > 30", Duration.ofSeconds(25), "OvenPlayer decodes frames over wss");
            assertEquals("[]", tab.eval("JSON.stringify(window.op.errors)").toString(), "OvenPlayer reported no error");
        }
    }

    @Test
    void aBrowserThatDoesNotTrustTheCertificateGetsNoPage() throws Exception {
        try (Chromium untrusting = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
             Chromium.Page page = untrusting.open("https://localhost:" + edge.port() + "/?stream=app/stream")) {
            page.waitUntil("document.readyState === 'complete'", Duration.ofSeconds(10), "the tab settles");
            Thread.sleep(1_000);
            String href = String.valueOf(page.eval("location.href"));
            Object player = page.eval("typeof window.p2pEdgePlayer");
            System.out.println("untrusting browser: " + href + ", player " + player);
            assertTrue(!"object".equals(player), "no player page without trust in the certificate: " + href);
        }
    }
}
