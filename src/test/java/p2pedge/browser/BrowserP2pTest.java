package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.Scrape;
import p2pedge.testing.TestEdge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * P2P Delivery in real browsers: three player pages on one stream with N=2: one is served by the edge and
 * relays to the two others; closing it leaves both playing again, and the failover time is printed.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserP2pTest {

    private static TestEdge edge;
    private static Chromium chromium;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        // Three tabs' relay encoders and the edge share this machine's CPU, which real hosts on their own devices do
        // not: under a loaded full run (2 cores) Chrome held the host's two relays back for CPU, and the edge, as
        // designed, took a slot away and moved a client (bin/test on a fresh clone, 2026-12-02). This test is about
        // relaying, failover and regrouping; lowering a host is LabCapacityTest's and P2pSignallingTest's, so here a
        // limitation would have to last an hour.
        edge = TestEdge.startAsMainDoes(new JsonObject().put("p2p", new JsonObject()
                .put("capacity", new JsonObject().put("lowerAfterSeconds", 3600))));
        chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        edge.close();
    }

    private static long number(Chromium.Page page, String expression) throws Exception {
        return ((Number) page.eval(expression)).longValue();
    }

    /** The page's receive rate (kbit/s, refreshed every 0.5 s), averaged over 5 s. */
    private static double meanKbps(Chromium.Page page) throws Exception {
        double sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += number(page, "window.p2pEdgePlayer.kbps");
            Thread.sleep(500);
        }
        return sum / 10;
    }

    /** At least 15 frames decoded in 2 s on the current connection (the demo sends 30 fps). */
    private static void assertFramesRise(Chromium.Page page, String who) throws Exception {
        long before = number(page, "window.p2pEdgePlayer.decodedNow()");
        Thread.sleep(2_000);
        long after = number(page, "window.p2pEdgePlayer.decodedNow()");
        assertTrue(after - before >= 15, who + ": frames keep rising: " + before + " -> " + after
                + "; player log: " + page.eval("window.p2pEdgePlayer.log.join('\\n')"));
    }

    @Test
    void oneTabServedByTheEdgeRelaysToTwoAndTheyFailOverWhenItCloses() throws Exception {
        String url = "http://127.0.0.1:" + edge.port() + "/?stream=app/stream";
        Chromium.Page host = chromium.open(url);
        host.waitUntil("window.p2pEdgePlayer.framesDecoded > 10", Duration.ofSeconds(20), "the first tab plays");
        long hostId = number(host, "window.p2pEdgePlayer.id");
        long deadline = System.currentTimeMillis() + 5_000;
        while (edge.hosts().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50); // registered once its edge connection carries media
        }
        assertEquals(1, edge.hosts().size(), "the first tab is a Host Peer: " + edge.hosts());

        List<Chromium.Page> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Chromium.Page client = chromium.openInWindow(url); // visible: the test watches its pictures
            client.waitUntil("window.p2pEdgePlayer.framesDecoded > 10", Duration.ofSeconds(20), "client " + i + " plays");
            assertEquals(hostId, number(client, "window.p2pEdgePlayer.peerId"), "client " + i + " plays from the host tab");
            clients.add(client);
        }
        assertEquals(1, edge.mediaConnections(), "the edge holds one media connection for three viewers");
        JsonArray hosts = edge.hosts();
        assertEquals(2, hosts.getJsonObject(0).getJsonArray("clients").size(), hosts.encode());
        assertEquals("host", host.eval("window.p2pEdgePlayer.role"));
        for (Chromium.Page client : clients) {
            assertFramesRise(client, "client");
        }
        // Relays are capped at the stream's bitrate: uncapped, Chrome's relay encoder had ramped up to 2.9x it.
        Thread.sleep(3_000);
        // What the host's page reports of its relays' upload (its slots follow it): printed, not asserted on loopback.
        System.out.println("relay upload as the host reports it: " + host.eval("JSON.stringify(window.p2pEdgePlayer.upload)"));
        double hostIn = meanKbps(host);
        for (int i = 0; i < clients.size(); i++) {
            double clientIn = meanKbps(clients.get(i));
            System.out.printf("relay bitrate: client %d receives %.0f kbit/s from its host, which receives %.0f from the edge%n",
                    i, clientIn, hostIn);
            assertTrue(clientIn <= 1.25 * hostIn, "client " + i + " receives at most 1.25x the source: " + clientIn + " against "
                    + hostIn + " kbit/s; host log: " + host.eval("window.p2pEdgePlayer.log.join('\\n')"));
        }
        Scrape playing = Scrape.of(edge.metricsPort());
        assertEquals(1, playing.value("p2pedge_players", "role=\"host\""), playing.text());
        assertEquals(2, playing.value("p2pedge_players", "role=\"client\""));
        assertEquals(2.0 / 3, playing.value("p2pedge_offload_ratio"), 1e-9);
        assertEquals(1, playing.value("p2pedge_hosts", "clients=\"2\""));
        assertEquals(1, playing.value("p2pedge_media_viewers"), "one media connection for three viewers");
        assertEquals(3, playing.value("vertx_http_server_active_ws_connections"), "Vert.x counts the three WebSockets");
        assertTrue(playing.value("p2pedge_placements_total", "role=\"client\"") >= 2, "placements counted");
        assertTrue(playing.has("vertx_eventbus_") && playing.has("vertx_pool_"), "event bus and pool meters");
        assertEquals(1, playing.value("p2pedge_cluster_members"));
        assertEquals(3, playing.value("p2pedge_stream_players", "stream=\"app/stream\""));
        assertEquals(2.0 / 3, playing.value("p2pedge_stream_offload_ratio", "stream=\"app/stream\""), 1e-9);
        double bitrate = playing.value("p2pedge_media_egress_bitrate_bits_per_second");
        assertTrue(bitrate > 100_000 && bitrate < 5_000_000, "the edge sends one stream's worth: " + bitrate + " bit/s");

        long[] offersBefore = new long[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            offersBefore[i] = number(clients.get(i), "window.p2pEdgePlayer.offers");
        }
        long closed = System.nanoTime();
        host.close();
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).waitUntil("(async () => window.p2pEdgePlayer.offers > " + offersBefore[i]
                    + " && await window.p2pEdgePlayer.decodedNow() > 0)()", Duration.ofSeconds(10), "client " + i + " plays again");
            long millis = (System.nanoTime() - closed) / 1_000_000;
            System.out.printf("failover: client %d decoding again %d ms after its host tab closed (from %s)%n", i, millis,
                    number(clients.get(i), "window.p2pEdgePlayer.peerId") == 0 ? "the edge" : "a new host peer");
        }
        for (int i = 0; i < clients.size(); i++) {
            // The stop said an offer follows (the page sent offer_after_stop): the page took it without asking again.
            assertEquals(Boolean.TRUE, clients.get(i).eval("(() => { const f = window.p2pEdgePlayer.failovers.at(-1);"
                    + " return f.stop > 0 && f.offer >= f.stop && f.request === undefined; })()"), "client " + i + " did not ask again");
        }
        for (int i = 0; i < clients.size(); i++) {
            // Make-before-break: the old connection is closed only once the new one has decoded a frame.
            clients.get(i).waitUntil("window.p2pEdgePlayer.log.some(l => l.includes('switched to the new connection'))",
                    Duration.ofSeconds(5), "client " + i + " switched once its new connection decoded");
        }
        Scrape failedOver = Scrape.of(edge.metricsPort());
        assertEquals(2, failedOver.value("p2pedge_replacements_total", "cause=\"host_left\""), failedOver.text());
        assertEquals(2, failedOver.value("p2pedge_failover_seconds_count"), "stop sent -> media again, for both clients");
        System.out.printf("failover as the edge measured it (stop sent -> new media connected): mean %.0f ms%n",
                1000 * failedOver.value("p2pedge_failover_seconds_sum") / 2);
        // Both are edge-served hosts with free slots now, and nobody new comes: regrouping moves one onto the other
        // (a few seconds after their edge connections came up), its relay connecting while its edge picture plays
        // on (the page switches once the relay shows a frame). From here on, no picture may stall.
        for (Chromium.Page client : clients) {
            client.eval(WATCH_PICTURE_GAPS);
        }
        long regroupedAt = -1;
        while (System.nanoTime() - closed < 20_000_000_000L) {
            long a = number(clients.get(0), "window.p2pEdgePlayer.peerId");
            long b = number(clients.get(1), "window.p2pEdgePlayer.peerId");
            boolean onePlaysFromTheOther = a == number(clients.get(1), "window.p2pEdgePlayer.id")
                    || b == number(clients.get(0), "window.p2pEdgePlayer.id");
            if (onePlaysFromTheOther && edge.mediaConnections() == 1) {
                regroupedAt = System.nanoTime();
                break;
            }
            Thread.sleep(100);
        }
        String logs = clients.get(0).eval("window.p2pEdgePlayer.log.join('\\n')") + "\n----\n"
                + clients.get(1).eval("window.p2pEdgePlayer.log.join('\\n')");
        assertTrue(regroupedAt > 0, "within 20 s of the host closing, one plays from the other and the edge serves one: "
                + edge.mediaConnections() + " media connections; " + logs);
        System.out.printf("regrouping: one client plays from the other %d ms after their host tab closed%n",
                (regroupedAt - closed) / 1_000_000);
        Thread.sleep(1_500); // the moved page closes its edge connection once the relay shows a frame
        for (int i = 0; i < clients.size(); i++) {
            assertFramesRise(clients.get(i), "client " + i + " after regrouping");
            double gap = ((Number) clients.get(i).eval("window.pictureGaps.max")).doubleValue();
            long pictures = ((Number) clients.get(i).eval("window.pictureGaps.count")).longValue();
            System.out.printf("regrouping: client %d (%s) went at most %.0f ms without a new picture (%d pictures watched)%n", i,
                    number(clients.get(i), "window.p2pEdgePlayer.peerId") == 0 ? "the host" : "moved", gap, pictures);
            assertTrue(pictures > 30, "client " + i + "'s pictures were watched (a visible page): " + pictures);
            assertTrue(gap <= 300, "client " + i + " never lost its picture for more than 300 ms: " + gap + " ms; " + logs);
        }
        Scrape regrouped = Scrape.of(edge.metricsPort());
        assertEquals(1, regrouped.value("p2pedge_p2p_moves_total"), regrouped.text());
        assertEquals(0.5, regrouped.value("p2pedge_offload_ratio"), 1e-9);
        for (Chromium.Page client : clients) {
            client.close();
        }
        edge.awaitMediaConnections(0, 10_000);
    }

    /**
     * Installs window.pictureGaps: the longest time between two pictures presented on screen, from now on (the page
     * has two video elements and swaps them; the one on screen is the one whose id is "video").
     */
    private static final String WATCH_PICTURE_GAPS = """
            (() => {
              window.pictureGaps = { last: performance.now(), max: 0, count: 0 };
              for (const video of document.querySelectorAll('video')) {
                const tick = (now) => {
                  if (video.id === 'video') {
                    window.pictureGaps.max = Math.max(window.pictureGaps.max, now - window.pictureGaps.last);
                    window.pictureGaps.last = now;
                    window.pictureGaps.count += 1;
                  }
                  video.requestVideoFrameCallback(tick);
                };
                video.requestVideoFrameCallback(tick);
              }
              return true;
            })()""";
}
