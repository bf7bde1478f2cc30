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
import p2pedge.testing.Lab;
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

    /**
     * OvenPlayer 0.10.54 never relays (it does not keep the stream it receives) and says nothing of it: the edge
     * tries each would-be host with a request_offer_p2p of its own once its media is up, and registers only those
     * that answer. So no player is ever placed on a silent host: the next tab plays from the edge at once.
     */
    @Test
    void ovenPlayer0_10_54NeverHostsAndTheNextPlayerDecodesWithin2sOfOpening() throws Exception {
        try (TestEdge edge = TestEdge.start(vertx)) {
            String url = pages.url(OvenPlayerPages.NEWEST, edge.wsUrl("app/stream"));
            Chromium.Page host = chromium.open(url);
            host.waitUntil("window.frames() > 10", Duration.ofSeconds(20), "the first tab plays");
            Chromium.Page next = chromium.open(url);
            long firstFrame = Lab.firstFrameMillis(next, "typeof window.frames === 'function' ? window.frames() : 0", 15_000);
            System.out.printf("OvenPlayer 0.10.54: the tab after a silent one decodes %d ms after opening (%s)%n", firstFrame,
                    next.eval("window.op.states.concat(window.op.signalling).join(' ')"));
            assertTrue(firstFrame >= 0 && firstFrame <= 2_000, "the next player decodes within 2 s of opening: " + firstFrame + " ms");
            assertEquals(Boolean.FALSE, next.eval("window.op.signalling.some(e => e.startsWith('<offer:'))"),
                    "its first offer is the edge's");
            assertFramesRise(next, "the next tab");
            // Both stay silent in their trials: neither is ever a host.
            Thread.sleep(edge.config().p2p().hostOfferTimeoutMillis() + 1_000);
            assertEquals(0, edge.hosts().size(), "no silent player is registered as a host: " + edge.hosts().encode());
            Chromium.Page client = chromium.open(url);
            client.waitUntil("window.frames() > 0", Duration.ofSeconds(15), "a third tab gets video");
            assertEquals(3, edge.mediaConnections(), "all three play from the edge");
            host.close();
            client.close();
            next.close();
            edge.awaitMediaConnections(0, 10_000);
        }
    }
}
