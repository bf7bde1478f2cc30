package p2pedge.browser;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.TestEdge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dashboard in Chromium while player tabs (real P2P, N=2) open and close: the tree, the offload figure and
 * the failover count follow live; a wrong token is refused.
 */
@Tag("browser")
@ExtendWith(VertxExtension.class)
class DashboardTest {

    private static final String TOKEN = "dash-secret";

    @Test
    void rolesTreesAndTheOffloadRatioChangeLiveAsTabsOpenAndClose(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, new JsonObject().put("metrics", new JsonObject().put("adminToken", TOKEN)));
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            String dashboardUrl = "http://127.0.0.1:" + edge.metricsPort() + "/dashboard/";
            Chromium.Page refused = chromium.open(dashboardUrl + "#token=wrong");
            refused.waitUntil("window.p2pEdgeDashboard.error === 'the admin token was refused'", Duration.ofSeconds(10),
                    "a wrong token gets no data");
            refused.close();
            Chromium.Page dashboard = chromium.open(dashboardUrl + "#token=" + TOKEN);
            dashboard.waitUntil("window.p2pEdgeDashboard.polls > 0", Duration.ofSeconds(10), "the dashboard polls the edge");

            String url = "http://127.0.0.1:" + edge.port() + "/?stream=app/stream";
            List<Chromium.Page> tabs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Chromium.Page tab = chromium.open(url);
                tab.waitUntil("window.p2pEdgePlayer.framesDecoded > 10", Duration.ofSeconds(20), "tab " + i + " plays");
                tabs.add(tab);
            }
            long host = ((Number) tabs.get(0).eval("window.p2pEdgePlayer.id")).longValue();
            dashboard.waitUntil("(() => { const t = window.p2pEdgeDashboard.trees['app/stream'];"
                            + " return t && t.hosts['" + host + "'] && t.hosts['" + host + "'].length === 2; })()",
                    Duration.ofSeconds(10), "the tree shows the first tab hosting the two others");
            dashboard.waitUntil("document.getElementById('offload').textContent === '67%'", Duration.ofSeconds(5),
                    "two of three players served by peers");
            assertEquals("3", dashboard.eval("document.getElementById('players').textContent"));
            assertEquals(3L, ((Number) dashboard.eval("document.querySelectorAll('#trees .node.client, #trees .node.host').length"))
                    .longValue(), "one host and two client nodes drawn");
            // The host's edge leg: what its transport-wide feedback says arrived, and the freezes its page reports.
            dashboard.waitUntil("(() => { const n = document.querySelector('#trees .node.host');"
                    + " return n && / · \\d+ kbit\\/s arrived/.test(n.textContent) && / · \\d+ freezes?$/.test(n.textContent); })()",
                    Duration.ofSeconds(15), "the host's node shows its edge leg and its reported freezes");
            System.out.println("dashboard host node: " + dashboard.eval("document.querySelector('#trees .node.host').textContent"));

            tabs.remove(2).close();
            dashboard.waitUntil("document.getElementById('offload').textContent === '50%'", Duration.ofSeconds(10),
                    "a client tab closed: one of two served by a peer");
            tabs.remove(0).close();
            dashboard.waitUntil("Number(document.getElementById('failovers').textContent) >= 1", Duration.ofSeconds(15),
                    "the host tab closed: its client's failover is counted");
            dashboard.waitUntil("document.getElementById('offload').textContent === '0%'", Duration.ofSeconds(10),
                    "the last tab is served by the edge");
            assertEquals(true, dashboard.eval("window.p2pEdgeDashboard.samples.length > 3"), "the chart has samples over time");
            tabs.forEach(Chromium.Page::close);
        }
    }
}
