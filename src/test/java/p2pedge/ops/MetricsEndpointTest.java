package p2pedge.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.testing.AdminClient;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics port of an edge started as {@code Main} starts it (Vert.x built with the Micrometer factory):
 * Vert.x's own meters and the product's, scraped while synthetic players (real WebSockets, fake SDP) take P2P
 * roles, send bad messages and lose their host.
 */
@Tag("media")
class MetricsEndpointTest {


    @Test
    void playersRolesErrorsAndReplacementsShowInPrometheusText() throws Exception {
        Vertx vertx = Vertx.vertx(); // the players' side
        List<AutoPlayer> players = new ArrayList<>();
        try (TestEdge edge = TestEdge.startAsMainDoes(new JsonObject().put("p2p", new JsonObject().put("policy", "ome")))) {
            int port = edge.metricsPort();
            HttpResponse<String> health = AdminClient.call(port, "GET", "/health", null);
            assertEquals(200, health.statusCode());
            assertEquals("up", new JsonObject(health.body()).getString("status"));

            AutoPlayer host = AutoPlayer.hostWithClients(vertx, edge.port(), 2, players);
            try (SignallingClient rude = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                rude.sendText("{not json");
                assertEquals(400, rude.next().getInteger("code"));
            }
            try (SignallingClient lost = SignallingClient.connect(vertx, edge.port(), "/app/nothing")) {
                assertEquals(404, lost.next().getInteger("code"));
            }

            Scrape scrape = Scrape.of(port);
            assertEquals(1, scrape.value("p2pedge_players", "role=\"host\""), scrape.text());
            assertEquals(2, scrape.value("p2pedge_players", "role=\"client\""));
            assertEquals(0, scrape.value("p2pedge_players", "role=\"edge\""));
            assertEquals(2.0 / 3, scrape.value("p2pedge_offload_ratio"), 1e-9);
            assertEquals(2.0 / 3, scrape.value("p2pedge_stream_offload_ratio", "stream=\"app/stream\""), 1e-9);
            assertEquals(3, scrape.value("p2pedge_stream_players", "stream=\"app/stream\""));
            assertEquals(1, scrape.value("p2pedge_hosts", "clients=\"2\""));
            assertEquals(2, scrape.value("p2pedge_placements_total", "role=\"client\""));
            assertEquals(1, scrape.value("p2pedge_placements_total", "role=\"host\""));
            // The host's request_offer -> offer in its two stages; the clients got no edge offer.
            assertEquals(1, scrape.value("p2pedge_offer_seconds_count", "after=\"request_offer\",stage=\"placement\""));
            assertEquals(1, scrape.value("p2pedge_offer_seconds_count", "after=\"request_offer\",stage=\"media\""));
            assertTrue(scrape.value("p2pedge_offer_seconds_sum", "after=\"request_offer\",stage=\"media\"") > 0);
            assertEquals(0, scrape.value("p2pedge_offer_seconds_count", "after=\"stop\",stage=\"placement\""), "no stop yet");
            assertEquals(1, scrape.value("p2pedge_signalling_errors_total", "code=\"400\""));
            assertEquals(1, scrape.value("p2pedge_signalling_errors_total", "code=\"404\""));
            assertEquals(1, scrape.value("p2pedge_cluster_members"));
            assertEquals(1, scrape.value("p2pedge_media_streams"), "the demo stream");
            assertTrue(scrape.value("p2pedge_media_egress_bytes_total") > 0, "STUN, DTLS and reports to the demo publisher");
            // The demo publisher's packets, timed through the forwarder (no viewer here): cumulative buckets, most fast.
            Waits.until(() -> Scrape.of(port).value("p2pedge_media_forward_delay_packets_total", "le=\"+Inf\"") >= 100, 10_000,
                    "the demo's source packets timed");
            Scrape timed = Scrape.of(port);
            double previous = 0;
            for (String le : List.of("0.00025", "0.001", "0.01", "0.1", "1", "2", "+Inf")) {
                double within = timed.value("p2pedge_media_forward_delay_packets_total", "le=\"" + le + "\"");
                assertTrue(within >= previous, le + ": " + within + " < " + previous);
                previous = within;
            }
            assertTrue(timed.value("p2pedge_media_forward_delay_packets_total", "le=\"0.1\"") >= previous / 2,
                    "an idle edge forwards most packets within 100 ms: " + timed.text().lines()
                            .filter(l -> l.startsWith("p2pedge_media_forward_delay")).toList());
            assertTrue(scrape.has("vertx_http_server_active_ws_connections"), "Vert.x's WebSocket meters");
            assertTrue(scrape.has("vertx_eventbus_"), "Vert.x's event bus meters");
            assertTrue(scrape.has("jvm_memory_used_bytes"), "JVM meters");
            assertEquals(1, scrape.value("p2pedge_edge_info", "edge=\"" + edge.edgeId() + "\""), "the edge is named");

            host.close();
            Waits.until(() -> {
                Scrape after = Scrape.of(port);
                return after.value("p2pedge_replacements_total", "cause=\"host_left\"") == 2
                        && after.value("p2pedge_players", "role=\"host\"") + after.value("p2pedge_players", "role=\"client\"")
                        + after.value("p2pedge_players", "role=\"edge\"") == 2;
            }, 5_000, "both clients re-placed because their host left (one may now host the other); two players counted");
        } finally {
            players.forEach(AutoPlayer::close);
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
