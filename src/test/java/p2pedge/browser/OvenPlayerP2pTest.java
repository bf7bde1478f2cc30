package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** P2P Delivery with unmodified OvenPlayer pages: 0.10.38 relays as a host; 0.10.54's host stays silent. */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class OvenPlayerP2pTest {

    private static Vertx vertx;
    private static Chromium chromium;
    private static OvenPlayerPages pages;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        OvenPlayerPages.assertInstalled(OvenPlayerPages.LAST_RELAYING);
        OvenPlayerPages.assertInstalled(OvenPlayerPages.NEWEST);
        chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS);
        pages = OvenPlayerPages.start(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        pages.close();
    }

    private static long frames(Chromium.Page page) throws Exception {
        return ((Number) page.eval("window.frames()")).longValue();
    }

    private static void assertFramesRise(Chromium.Page page, String who) throws Exception {
        long before = frames(page);
        Thread.sleep(1_000);
        long after = frames(page);
        assertTrue(after - before >= 10, who + ": frames keep rising: " + before + " -> " + after);
    }

    private static void awaitHosts(TestEdge edge, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (edge.hosts().size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(count, edge.hosts().size(), edge.hosts().encode());
    }

    @Test
    void ovenPlayer0_10_38RelaysToTwoClientsWhoFailOverWhenItCloses() throws Exception {
        try (TestEdge edge = TestEdge.start(vertx)) {
            String url = pages.url(OvenPlayerPages.LAST_RELAYING, edge.wsUrl("app/stream"));
            Chromium.Page host = chromium.open(url);
            host.waitUntil("window.frames() > 10", Duration.ofSeconds(20), "the host tab plays");
            awaitHosts(edge, 1);
            List<Chromium.Page> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Chromium.Page client = chromium.open(url);
                client.waitUntil("window.frames() > 10", Duration.ofSeconds(20), "client tab " + i + " plays");
                clients.add(client);
            }
            JsonArray hosts = edge.hosts();
            assertEquals(2, hosts.getJsonObject(0).getJsonArray("clients").size(), hosts.encode());
            assertEquals(1, edge.mediaConnections(), "two of three OvenPlayer tabs play from the host tab");
            for (Chromium.Page client : clients) {
                assertFramesRise(client, "OvenPlayer client");
            }
            long[] before = new long[2];
            for (int i = 0; i < 2; i++) {
                before[i] = frames(clients.get(i));
            }
            long closed = System.nanoTime();
            host.close();
            for (int i = 0; i < 2; i++) {
                // Frames stall when the host goes; rising well past the stalled count means a new source.
                clients.get(i).waitUntil("window.frames() > " + (before[i] + 30), Duration.ofSeconds(15),
                        "OvenPlayer client " + i + " plays again");
                System.out.printf("OvenPlayer 0.10.38 failover: client %d has 30 new frames %d ms after its host closed%n",
                        i, (System.nanoTime() - closed) / 1_000_000);
            }
            for (Chromium.Page client : clients) {
                assertEquals("[]", client.eval("JSON.stringify(window.op.errors)").toString());
                client.close();
            }
            edge.awaitMediaConnections(0, 10_000);
        }
    }

    @Test
    void ovenPlayer0_10_54SilentHostsClientsStillGetVideoQuickly() throws Exception {
        try (TestEdge edge = TestEdge.start(vertx)) {
            String url = pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream"));
            Chromium.Page host = chromium.open(url);
            host.waitUntil("window.frames() > 10", Duration.ofSeconds(20), "the host tab plays");
            awaitHosts(edge, 1);
            long opened = System.nanoTime();
            Chromium.Page client = chromium.open(url);
            client.waitUntil("window.frames() > 0", Duration.ofSeconds(15), "the would-be client gets video");
            long millis = (System.nanoTime() - opened) / 1_000_000;
            System.out.printf("OvenPlayer 0.10.54: silent host given up, client decoding %d ms after its tab opened "
                    + "(host-offer timeout %d ms)%n", millis, edge.config().p2p().hostOfferTimeoutMillis());
            assertTrue(millis < edge.config().p2p().hostOfferTimeoutMillis() + 5_000, "served quickly: " + millis + " ms");
            assertFramesRise(client, "client of a silent host");
            // Every host that stayed silent is offered no more clients; a fresh host still gets one chance
            // (nothing tells a silent OvenPlayer from a relaying one before it is asked).
            JsonArray hosts = edge.hosts();
            for (int i = 0; i < hosts.size(); i++) {
                if (hosts.getJsonObject(i).getInteger("hostFailures") > 0) {
                    assertFalse(hosts.getJsonObject(i).getBoolean("accepting"), "silent hosts get no more clients: " + hosts);
                }
            }
            // Silence is the host's own failure, measured by the edge (not a client's report).
            assertTrue(hosts.encode().contains("\"hostFailures\":1"), hosts.encode());
            Chromium.Page next = chromium.open(url);
            next.waitUntil("window.frames() > 0", Duration.ofSeconds(15), "the next tab gets video");
            host.close();
            client.close();
            next.close();
            edge.awaitMediaConnections(0, 10_000);
        }
    }
}
