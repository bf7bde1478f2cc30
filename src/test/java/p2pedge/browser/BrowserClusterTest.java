package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.TestCluster;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real browsers across a cluster: a player page on edge 2 plays from a host page on edge 1 (video relayed
 * browser to browser, signalling across edges); when edge 1 dies, it plays again from edge 2.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class BrowserClusterTest {

    @Test
    void aPlayerOnOneEdgePlaysFromAHostOnAnotherAndSurvivesThatEdgesDeath(Vertx vertx) throws Exception {
        try (TestCluster cluster = new TestCluster(new JsonObject());
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            TestCluster.Member edge1 = cluster.start();
            TestCluster.Member edge2 = cluster.start();
            Chromium.Page host = chromium.open("http://127.0.0.1:" + edge1.port() + "/?stream=app/stream");
            host.waitUntil("window.p2pEdgePlayer.framesDecoded > 10", Duration.ofSeconds(20), "the host page plays");
            long hostId = ((Number) host.eval("window.p2pEdgePlayer.id")).longValue();
            long deadline = System.currentTimeMillis() + 5_000;
            while (edge2.hosts().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Chromium.Page client = chromium.open("http://127.0.0.1:" + edge2.port() + "/?stream=app/stream");
            client.waitUntil("(async () => window.p2pEdgePlayer.peerId === " + hostId
                    + " && await window.p2pEdgePlayer.decodedNow() > 10)()", Duration.ofSeconds(20),
                    "the page on edge 2 plays from the host page on edge 1");
            assertEquals(0, edge2.mediaConnections(), "edge 2 sends no media: the host page does");
            // The dashboard of edge 2, cluster view: the host on edge 1 with its client on edge 2 under it.
            Chromium.Page dashboard = chromium.open("http://127.0.0.1:" + edge2.edge.metricsPort() + "/dashboard/#token="
                    + edge2.edge.adminToken() + "&scope=cluster");
            dashboard.waitUntil("(() => { const t = window.p2pEdgeDashboard.trees['app/stream'];"
                            + " return t && t.hosts['" + hostId + "'] && t.hosts['" + hostId + "'].length === 1; })()",
                    Duration.ofSeconds(10), "the cluster view shows the host on edge 1 serving the client on edge 2");
            assertEquals(2L, ((Number) dashboard.eval("document.querySelectorAll('#trees .node.edge').length")).longValue(),
                    "one tree root per edge");
            dashboard.close();

            long offers = ((Number) client.eval("window.p2pEdgePlayer.offers")).longValue();
            long killed = System.nanoTime();
            var dead = cluster.killAsync(edge1);
            client.waitUntil("(async () => window.p2pEdgePlayer.offers > " + offers
                    + " && await window.p2pEdgePlayer.decodedNow() > 0)()", Duration.ofSeconds(15),
                    "the page on edge 2 plays again after edge 1 died");
            System.out.printf("edge of the host killed: the client page on another edge decodes again %d ms later%n",
                    (System.nanoTime() - killed) / 1_000_000);
            dead.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0L, ((Number) client.eval("window.p2pEdgePlayer.peerId")).longValue(), "now served by edge 2");
            long before = ((Number) client.eval("window.p2pEdgePlayer.decodedNow()")).longValue();
            Thread.sleep(2_000);
            long after = ((Number) client.eval("window.p2pEdgePlayer.decodedNow()")).longValue();
            assertTrue(after - before >= 15, "frames keep rising: " + before + " -> " + after);
            host.close();
            client.close();
        }
    }
}
